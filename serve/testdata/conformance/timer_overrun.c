/* timer_overrun.c — a periodic POSIX timer whose signal is still queued
 * when it expires again counts overruns instead of queueing more
 * (timer_getoverrun(2)): one signal, si_overrun > 0, and
 * timer_getoverrun agrees. The program waits, by the clock, until many
 * periods have passed with the signal blocked; only yes/no is printed. */
#include "conf.h"

int main(void)
{
	block1(SIGRTMIN);
	struct sigevent ev;
	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGRTMIN;
	timer_t t;
	timer_create(CLOCK_MONOTONIC, &ev, &t);
	struct itimerspec its = {{0, 1000000}, {0, 1000000}};
	timer_settime(t, 0, &its, NULL);
	while (!is_pending(SIGRTMIN))
		nanosleep(&(struct timespec){0, 1000000}, NULL);
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	do {
		nanosleep(&(struct timespec){0, 5000000}, NULL);
		clock_gettime(CLOCK_MONOTONIC, &b);
	} while ((b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec) < 20000000L);
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGRTMIN);
	siginfo_t si;
	int s = sigtimedwait(&m, &si, &(struct timespec){0, 0});
	int ov = timer_getoverrun(t);
	/* Disarmed only now: disarming drops a queued expiry signal. */
	struct itimerspec zero = {{0, 0}, {0, 0}};
	timer_settime(t, 0, &zero, NULL);
	EXPECT(s == SIGRTMIN && si.si_code == SI_TIMER, "one signal: %s SI_TIMER %s", sig(s), yes(si.si_code == SI_TIMER));
	EXPECT(si.si_overrun >= 5, "si_overrun at least 5: %s", yes(si.si_overrun >= 5));
	EXPECT(ov == si.si_overrun, "timer_getoverrun agrees: %s", yes(ov == si.si_overrun));
	EXPECT(sigtimedwait(&m, &si, &(struct timespec){0, 0}) == -1, "no second signal queued: %s", yes(1));
	timer_delete(t);
	EXPECT(!strcmp(RET(timer_getoverrun(t)), "-1 EINVAL"), "getoverrun of a deleted timer: %s", RET(timer_getoverrun(t)));
	return conf_exit();
}
