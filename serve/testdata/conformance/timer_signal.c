/* timer_signal.c — timer_create(2) with SIGEV_SIGNAL: expiry queues the
 * signal with si_code SI_TIMER, si_timerid the kernel's timer id and
 * si_value from the sigevent; timer_gettime reads back the interval and
 * 0 once a one-shot has expired; timer_settime returns the old setting;
 * the default sigevent is SIGALRM with the timer id as value (the kernel's
 * id, which is si_timerid); deleted or
 * unknown timers are EINVAL; a bad clock is EINVAL. */
#include "conf.h"

int main(void)
{
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGRTMIN);
	sigaddset(&m, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &m, NULL);

	struct sigevent ev;
	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGRTMIN;
	ev.sigev_value.sival_int = 77;
	timer_t t;
	EXPECT(timer_create(CLOCK_MONOTONIC, &ev, &t) == 0, "timer_create(MONOTONIC, SIGEV_SIGNAL): 0");
	struct itimerspec its = {{0, 0}, {0, 10000000}}, old, cur;
	EXPECT(timer_settime(t, 0, &its, &old) == 0 && old.it_value.tv_nsec == 0, "settime 10 ms one-shot: old zero %s", yes(old.it_value.tv_nsec == 0));
	siginfo_t si;
	int s = sigwaitinfo(&m, &si);
	EXPECT(s == SIGRTMIN && si.si_code == SI_TIMER, "expiry: %s si_code SI_TIMER %s", sig(s), yes(si.si_code == SI_TIMER));
	EXPECT(si.si_value.sival_int == 77 && si.si_timerid == (int)(intptr_t)t && si.si_overrun == 0,
	       "si_value %d, si_timerid matches %s, si_overrun %d", si.si_value.sival_int, yes(si.si_timerid == (int)(intptr_t)t), si.si_overrun);
	timer_gettime(t, &cur);
	EXPECT(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0, "gettime after expiry: zero %s", yes(cur.it_value.tv_nsec == 0));
	EXPECT(timer_getoverrun(t) == 0, "getoverrun: 0");

	struct itimerspec per = {{0, 5000000}, {10, 0}};
	timer_settime(t, 0, &per, NULL);
	timer_gettime(t, &cur);
	EXPECT(cur.it_interval.tv_nsec == 5000000 && cur.it_value.tv_sec >= 9 && cur.it_value.tv_sec <= 10, "settime 10 s / 5 ms: reads back interval %ld ns, value ~10 s %s", cur.it_interval.tv_nsec, yes(cur.it_value.tv_sec >= 9));
	struct itimerspec zero = {{0, 0}, {0, 0}};
	timer_settime(t, 0, &zero, &old);
	EXPECT(old.it_interval.tv_nsec == 5000000, "disarm: old interval %ld ns", old.it_interval.tv_nsec);
	EXPECT(timer_delete(t) == 0, "delete: 0");
	EXPECT(!strcmp(RET(timer_delete(t)), "-1 EINVAL"), "delete again: %s", RET(timer_delete(t)));
	EXPECT(!strcmp(RET(timer_settime(t, 0, &its, NULL)), "-1 EINVAL"), "settime deleted: %s", RET(timer_settime(t, 0, &its, NULL)));
	EXPECT(!strcmp(RET(timer_create(12345, &ev, &t)), "-1 EINVAL"), "bad clock: %s", RET(timer_create(12345, &ev, &t)));
	ev.sigev_signo = 99;
	EXPECT(!strcmp(RET(timer_create(CLOCK_MONOTONIC, &ev, &t)), "-1 EINVAL"), "bad signal: %s", RET(timer_create(CLOCK_MONOTONIC, &ev, &t)));

	/* NULL sigevent (the raw call: glibc substitutes its own): SIGALRM,
	 * si_value = the timer id. */
	int kid = -1;
	EXPECT(syscall(SYS_timer_create, CLOCK_REALTIME, NULL, &kid) == 0, "timer_create(REALTIME, NULL): 0");
	timer_t d = (timer_t)(intptr_t)kid;
	timer_settime(d, 0, &its, NULL);
	s = sigwaitinfo(&m, &si);
	EXPECT(s == SIGALRM && si.si_code == SI_TIMER && si.si_value.sival_int == kid && si.si_timerid == kid, "default: %s si_code SI_TIMER %s, value and si_timerid are the id %s", sig(s), yes(si.si_code == SI_TIMER), yes(si.si_value.sival_int == kid && si.si_timerid == kid));
	struct itimerspec bad = {{0, 0}, {0, 1000000000}};
	EXPECT(!strcmp(RET(timer_settime(d, 0, &bad, NULL)), "-1 EINVAL"), "tv_nsec 1e9: %s", RET(timer_settime(d, 0, &bad, NULL)));
	/* TIMER_ABSTIME in the past fires at once. */
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	struct itimerspec abs = {{0, 0}, {now.tv_sec - 1, 0}};
	timer_settime(d, TIMER_ABSTIME, &abs, NULL);
	s = sigwaitinfo(&m, &si);
	EXPECT(s == SIGALRM, "absolute time in the past: fires %s", yes(s == SIGALRM));
	timer_delete(d);
	return conf_exit();
}
