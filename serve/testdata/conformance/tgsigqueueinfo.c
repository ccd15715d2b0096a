/* tgsigqueueinfo.c — rt_tgsigqueueinfo(2) queues a signal with the
 * caller's siginfo to one thread, rt_sigqueueinfo(2) to the process; a
 * sender may forge si_code only to itself: SI_USER / SI_TKILL / positive
 * codes to another process — or, for rt_tgsigqueueinfo, to another thread
 * of its own (the check compares the target tid with the caller's) — are
 * EPERM. */
#include "conf.h"

static volatile pid_t wtid, ran_in;
static volatile int code, val;
static int park[2], note[2];

static void h(int s, siginfo_t *si, void *uc)
{
	ran_in = gettid_();
	code = si->si_code;
	val = si->si_value.sival_int;
	write(note[1], "n", 1);
}

static void *worker(void *a)
{
	wtid = gettid_();
	char c;
	while (read(park[0], &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static siginfo_t mk(int s, int code, int v)
{
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_signo = s;
	si.si_code = code;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_int = v;
	return si;
}

int main(void)
{
	install(SIGRTMIN, h, SA_RESTART);
	pipe(park);
	pipe(note);
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	while (!wtid)
		sched_yield();
	block1(SIGRTMIN);
	siginfo_t si = mk(SIGRTMIN, SI_QUEUE, 88);
	char c;
	EXPECT(syscall(SYS_rt_tgsigqueueinfo, getpid(), wtid, SIGRTMIN, &si) == 0, "rt_tgsigqueueinfo to the worker: 0");
	read(note[0], &c, 1);
	EXPECT(ran_in == wtid && code == SI_QUEUE && val == 88, "ran in the worker %s, SI_QUEUE %s, value %d", yes(ran_in == wtid), yes(code == SI_QUEUE), val);
	si = mk(SIGRTMIN, -42, 89); /* any negative code is fine to itself */
	EXPECT(syscall(SYS_rt_sigqueueinfo, getpid(), SIGRTMIN, &si) == 0, "rt_sigqueueinfo to the process, si_code -42: 0");
	read(note[0], &c, 1);
	EXPECT(ran_in == wtid && code == -42 && val == 89, "ran in the worker (main blocks it) %s, si_code %d, value %d", yes(ran_in == wtid), code, val);
	si = mk(SIGRTMIN, SI_USER, 1);
	EXPECT(!strcmp(RET(syscall(SYS_rt_tgsigqueueinfo, getpid(), wtid, SIGRTMIN, &si)), "-1 EPERM"), "SI_USER to another thread: %s", RET(syscall(SYS_rt_tgsigqueueinfo, getpid(), wtid, SIGRTMIN, &si)));
	si = mk(SIGRTMIN, SI_USER, 3);
	EXPECT(syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid_(), SIGRTMIN, &si) == 0, "SI_USER to the calling thread: 0");
	sigset_t w;
	sigemptyset(&w);
	sigaddset(&w, SIGRTMIN);
	siginfo_t got;
	int s = sigtimedwait(&w, &got, &(struct timespec){0, 0});
	EXPECT(s == SIGRTMIN && got.si_code == SI_USER && got.si_value.sival_int == 3, "taken by main: %s si_code %d value %d", sig(s), got.si_code, got.si_value.sival_int);

	pid_t ch = fork();
	if (ch == 0) {
		pause();
		_exit(0);
	}
	int codes[] = {SI_USER, SI_TKILL, 5};
	for (int i = 0; i < 3; i++) {
		si = mk(SIGRTMIN, codes[i], 1);
		EXPECT(!strcmp(RET(syscall(SYS_rt_sigqueueinfo, ch, SIGRTMIN, &si)), "-1 EPERM"), "si_code %d to another process: %s", codes[i], RET(syscall(SYS_rt_sigqueueinfo, ch, SIGRTMIN, &si)));
	}
	si = mk(SIGRTMIN, SI_QUEUE, 1);
	EXPECT(!strcmp(RET(syscall(SYS_rt_tgsigqueueinfo, getpid(), 0, SIGRTMIN, &si)), "-1 EINVAL"), "tid 0: %s", RET(syscall(SYS_rt_tgsigqueueinfo, getpid(), 0, SIGRTMIN, &si)));
	EXPECT(!strcmp(RET(syscall(SYS_rt_tgsigqueueinfo, ch, wtid, SIGRTMIN, &si)), "-1 ESRCH"), "tid not in tgid: %s", RET(syscall(SYS_rt_tgsigqueueinfo, ch, wtid, SIGRTMIN, &si)));
	kill(ch, SIGKILL);
	waitpid(ch, NULL, 0);
	write(park[1], "x", 1);
	pthread_join(t, NULL);
	return conf_exit();
}
