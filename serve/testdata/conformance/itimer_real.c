/* itimer_real.c — setitimer(2)/getitimer(2) with ITIMER_REAL: the interval
 * reads back exactly, the value counts down from at most what was set, an
 * interval timer fires repeatedly (SIGALRM, si_code SI_KERNEL), old_value
 * reports the previous setting, a zero value disarms, and a bad which or
 * tv_usec ≥ 10^6 is EINVAL. ITIMER_VIRTUAL reads back too. */
#include "conf.h"
#include <sys/time.h>

static volatile int calls, code;
static void h(int s, siginfo_t *si, void *uc)
{
	calls++;
	code = si->si_code;
}

int main(void)
{
	install(SIGALRM, h, 0);
	block1(SIGALRM);
	struct itimerval it = {{0, 20000}, {0, 20000}}, old, cur;
	EXPECT(setitimer(ITIMER_REAL, &it, &old) == 0 && old.it_value.tv_sec == 0 && old.it_value.tv_usec == 0, "set 20 ms/20 ms: old value zero %s", yes(old.it_value.tv_usec == 0));
	getitimer(ITIMER_REAL, &cur);
	EXPECT(cur.it_interval.tv_sec == 0 && cur.it_interval.tv_usec == 20000, "get: interval %ld.%06ld", (long)cur.it_interval.tv_sec, (long)cur.it_interval.tv_usec);
	EXPECT(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec <= 20000, "get: value at most 20 ms %s", yes(cur.it_value.tv_usec <= 20000));
	sigset_t empty;
	sigemptyset(&empty);
	for (int i = 0; i < 3; i++)
		sigsuspend(&empty);
	EXPECT(calls == 3 && code == SI_KERNEL, "three SIGALRMs: calls %d, si_code SI_KERNEL %s", calls, yes(code == SI_KERNEL));
	struct itimerval zero = {{0, 0}, {0, 0}};
	setitimer(ITIMER_REAL, &zero, &old);
	EXPECT(old.it_interval.tv_usec == 20000, "disarm: old interval %ld us", (long)old.it_interval.tv_usec);
	getitimer(ITIMER_REAL, &cur);
	EXPECT(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0 && cur.it_interval.tv_usec == 0, "get after disarm: all zero %s", yes(cur.it_value.tv_usec == 0 && cur.it_interval.tv_usec == 0));
	sigset_t p;
	sigpending(&p);
	sigtimedwait(&p, NULL, &(struct timespec){0, 0});

	EXPECT(!strcmp(RET(setitimer(7, &it, NULL)), "-1 EINVAL"), "which 7: %s", RET(setitimer(7, &it, NULL)));
	EXPECT(!strcmp(RET(getitimer(7, &cur)), "-1 EINVAL"), "getitimer which 7: %s", RET(getitimer(7, &cur)));
	struct itimerval bad = {{0, 0}, {0, 1000000}};
	EXPECT(!strcmp(RET(setitimer(ITIMER_REAL, &bad, NULL)), "-1 EINVAL"), "tv_usec 1e6: %s", RET(setitimer(ITIMER_REAL, &bad, NULL)));

	struct itimerval v = {{0, 0}, {100, 0}};
	setitimer(ITIMER_VIRTUAL, &v, NULL);
	getitimer(ITIMER_VIRTUAL, &cur);
	EXPECT(cur.it_value.tv_sec >= 99 && cur.it_value.tv_sec <= 100 && cur.it_interval.tv_sec == 0, "ITIMER_VIRTUAL 100 s: reads back %s", yes(cur.it_value.tv_sec >= 99));
	setitimer(ITIMER_VIRTUAL, &zero, NULL);
	return conf_exit();
}
