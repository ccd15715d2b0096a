/* pidfd.c — pidfd_send_signal(2): to itself through a pidfd (si_code
 * SI_USER, si_pid self), with a siginfo (SI_QUEUE and its value), to a
 * child (killed by SIGTERM, reaped with waitid(P_PIDFD)); bad flags are
 * EINVAL, a foreign si_code to another process EPERM, a non-pidfd EBADF. */
#include "conf.h"

static int pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }
static long send(int fd, int s, siginfo_t *si, unsigned flags) { return syscall(SYS_pidfd_send_signal, fd, s, si, flags); }

static volatile int calls, code, val, from_self;
static void h(int s, siginfo_t *si, void *uc)
{
	calls++;
	code = si->si_code;
	val = si->si_value.sival_int;
	from_self = si->si_pid == getpid();
}

int main(void)
{
	install(SIGUSR1, h, 0);
	int me = pidfd_open(getpid());
	EXPECT(send(me, SIGUSR1, NULL, 0) == 0 && calls == 1 && code == SI_USER && from_self, "to self: handler ran %s, SI_USER %s, si_pid self %s", yes(calls == 1), yes(code == SI_USER), yes(from_self));
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_signo = SIGUSR1;
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_int = 606;
	EXPECT(send(me, SIGUSR1, &si, 0) == 0 && calls == 2 && code == SI_QUEUE && val == 606, "with a siginfo: SI_QUEUE %s value %d", yes(code == SI_QUEUE), val);
	EXPECT(!strcmp(RET(send(me, SIGUSR1, NULL, 0x40)), "-1 EINVAL"), "bad flags: %s", RET(send(me, SIGUSR1, NULL, 0x40)));
	EXPECT(!strcmp(RET(send(1, SIGUSR1, NULL, 0)), "-1 EBADF"), "stdout is no pidfd: %s", RET(send(1, SIGUSR1, NULL, 0)));
	EXPECT(send(me, 0, NULL, 0) == 0, "signal 0: 0");

	int p[2];
	pipe(p);
	pid_t c = fork();
	if (c == 0) {
		hs_wait(p[0]);
		_exit(0);
	}
	int cfd = pidfd_open(c);
	si.si_code = SI_USER;
	EXPECT(!strcmp(RET(send(cfd, SIGUSR1, &si, 0)), "-1 EPERM"), "to a child with si_code SI_USER: %s", RET(send(cfd, SIGUSR1, &si, 0)));
	si.si_signo = SIGUSR2;
	si.si_code = SI_QUEUE;
	EXPECT(!strcmp(RET(send(cfd, SIGUSR1, &si, 0)), "-1 EINVAL"), "si_signo mismatch: %s", RET(send(cfd, SIGUSR1, &si, 0)));
	EXPECT(send(cfd, SIGTERM, NULL, 0) == 0, "SIGTERM to the child: 0");
	siginfo_t wi;
	memset(&wi, 0, sizeof wi);
	EXPECT(waitid(P_PIDFD, cfd, &wi, WEXITED) == 0 && wi.si_code == CLD_KILLED && wi.si_status == SIGTERM, "waitid(P_PIDFD): killed by %s", sig(wi.si_status));
	EXPECT(!strcmp(RET(send(cfd, SIGTERM, NULL, 0)), "-1 ESRCH"), "to the reaped child: %s", RET(send(cfd, SIGTERM, NULL, 0)));
	return conf_exit();
}
