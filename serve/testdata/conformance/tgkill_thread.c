/* tgkill_thread.c — tgkill(2) and tkill(2) reach exactly the named thread
 * (its handler runs there, even though other threads have the signal
 * unblocked too); a tid outside the thread group is ESRCH; tgid ≤ 0 or
 * tid ≤ 0 is EINVAL; signal 0 only checks. */
#include "conf.h"

#define N 3
static int park[N][2], note[2];
static volatile pid_t tids[N];
static volatile pid_t ran_in;

static void h(int s, siginfo_t *si, void *uc)
{
	ran_in = gettid_();
	char c = (char)si->si_code;
	write(note[1], &c, 1);
}

static void *worker(void *a)
{
	int i = (int)(intptr_t)a;
	tids[i] = gettid_();
	char c;
	while (read(park[i][0], &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static int which(pid_t t)
{
	for (int i = 0; i < N; i++)
		if (tids[i] == t)
			return i;
	return t == gettid_() ? -1 : -2;
}

int main(void)
{
	install(SIGUSR1, h, SA_RESTART);
	pipe(note);
	pthread_t th[N];
	for (int i = 0; i < N; i++) {
		pipe(park[i]);
		pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i);
	}
	for (int i = 0; i < N; i++)
		while (!tids[i])
			sched_yield();
	block1(SIGUSR1);
	for (int k = 0; k < 2; k++) {
		for (int i = N - 1; i >= 0; i--) {
			char c;
			if (k == 0)
				syscall(SYS_tgkill, getpid(), tids[i], SIGUSR1);
			else
				syscall(SYS_tkill, tids[i], SIGUSR1);
			read(note[0], &c, 1);
			EXPECT(which(ran_in) == i && c == SI_TKILL, "%s to worker %d: ran in worker %d, si_code SI_TKILL %s", k ? "tkill" : "tgkill", i, which(ran_in), yes(c == SI_TKILL));
		}
	}
	EXPECT(syscall(SYS_tgkill, getpid(), tids[0], 0) == 0, "tgkill(sig 0): 0");
	EXPECT(!strcmp(RET(syscall(SYS_tgkill, 1, tids[0], 0)), "-1 ESRCH"), "tgkill(wrong tgid): %s", RET(syscall(SYS_tgkill, 1, tids[0], 0)));
	EXPECT(!strcmp(RET(syscall(SYS_tgkill, 0, tids[0], 0)), "-1 EINVAL"), "tgkill(tgid 0): %s", RET(syscall(SYS_tgkill, 0, tids[0], 0)));
	EXPECT(!strcmp(RET(syscall(SYS_tgkill, getpid(), 0, 0)), "-1 EINVAL"), "tgkill(tid 0): %s", RET(syscall(SYS_tgkill, getpid(), 0, 0)));
	EXPECT(!strcmp(RET(syscall(SYS_tkill, -5, 0)), "-1 EINVAL"), "tkill(tid -5): %s", RET(syscall(SYS_tkill, -5, 0)));
	EXPECT(!strcmp(RET(syscall(SYS_tgkill, getpid(), tids[0], 99)), "-1 EINVAL"), "tgkill(sig 99): %s", RET(syscall(SYS_tgkill, getpid(), tids[0], 99)));
	for (int i = 0; i < N; i++) {
		write(park[i][1], "x", 1);
		pthread_join(th[i], NULL);
	}
	return conf_exit();
}
