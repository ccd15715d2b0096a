/* signalfd.c — signalfd(2): a read returns signalfd_siginfo records for
 * pending signals in the fd's mask (ssi_signo, ssi_code, ssi_pid, ssi_int,
 * ssi_uid), lowest signal first and real-time ones in queue order, as many
 * as fit; an empty non-blocking fd is EAGAIN; poll sees readiness; the mask
 * can be replaced; a blocked read is woken by a signal from another
 * thread. */
#include "conf.h"
#include <poll.h>
#include <sys/signalfd.h>

static void *sender(void *a)
{
	wait_sleeping(getpid(), *(pid_t *)a);
	sigqueue(getpid(), SIGRTMIN + 2, (union sigval){.sival_int = 5});
	return NULL;
}

int main(void)
{
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	sigaddset(&m, SIGRTMIN + 2);
	sigaddset(&m, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &m, NULL);
	int fd = signalfd(-1, &m, SFD_NONBLOCK | SFD_CLOEXEC);
	EXPECT(fd >= 0, "signalfd: fd %s", yes(fd >= 0));
	struct signalfd_siginfo si[4];
	EXPECT(!strcmp(RET(read(fd, si, sizeof si)), "-1 EAGAIN"), "empty read: %s", RET(read(fd, si, sizeof si)));
	struct pollfd pf = {fd, POLLIN, 0};
	EXPECT(poll(&pf, 1, 0) == 0, "poll empty: not ready %s", yes(1));

	sigqueue(getpid(), SIGRTMIN + 2, (union sigval){.sival_int = 1});
	sigqueue(getpid(), SIGRTMIN + 2, (union sigval){.sival_int = 2});
	kill(getpid(), SIGUSR1);
	raise(SIGTERM);
	EXPECT(poll(&pf, 1, 0) == 1 && (pf.revents & POLLIN), "poll: ready %s", yes(pf.revents & POLLIN));
	ssize_t n = read(fd, si, sizeof si);
	printf("read %zd records\n", n / (ssize_t)sizeof si[0]);
	for (int i = 0; i < n / (ssize_t)sizeof si[0]; i++)
		printf("  %s code %d int %d pid self %s uid self %s\n", sig(si[i].ssi_signo), si[i].ssi_code, si[i].ssi_int, yes(si[i].ssi_pid == (uint32_t)getpid()), yes(si[i].ssi_uid == getuid()));
	EXPECT(!strcmp(RET(read(fd, si, sizeof si)), "-1 EAGAIN"), "drained: %s", RET(read(fd, si, sizeof si)));
	EXPECT(!strcmp(RET(read(fd, si, 10)), "-1 EINVAL"), "short buffer: %s", RET(read(fd, si, 10)));

	/* Replace the mask: SIGUSR1 only; a pending SIGTERM is not read. */
	raise(SIGTERM);
	sigset_t only1;
	sigemptyset(&only1);
	sigaddset(&only1, SIGUSR1);
	EXPECT(signalfd(fd, &only1, 0) == fd, "mask replaced: same fd %s", yes(1));
	EXPECT(!strcmp(RET(read(fd, si, sizeof si)), "-1 EAGAIN"), "SIGTERM not in the new mask: %s", RET(read(fd, si, sizeof si)));
	EXPECT(is_pending(SIGTERM), "SIGTERM still pending %s", yes(is_pending(SIGTERM)));
	sigtimedwait(&m, NULL, &(struct timespec){0, 0});

	/* Blocking read woken by another thread. */
	int bfd = signalfd(-1, &m, 0);
	pid_t me = gettid_();
	pthread_t t;
	pthread_create(&t, NULL, sender, &me);
	n = read(bfd, si, sizeof si);
	EXPECT(n == sizeof si[0] && (int)si[0].ssi_signo == SIGRTMIN + 2 && si[0].ssi_int == 5, "blocking read: %zd record(s), %s int %d", n / (ssize_t)sizeof si[0], sig(si[0].ssi_signo), si[0].ssi_int);
	pthread_join(t, NULL);
	EXPECT(!strcmp(RET(signalfd(-1, &m, 0x12345)), "-1 EINVAL"), "bad flags: %s", RET(signalfd(-1, &m, 0x12345)));
	EXPECT(!strcmp(RET(syscall(SYS_signalfd4, -1, &m, 4, 0)), "-1 EINVAL"), "sigsetsize 4: %s", RET(syscall(SYS_signalfd4, -1, &m, 4, 0)));
	return conf_exit();
}
