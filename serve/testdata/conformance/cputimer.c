/* cputimer.c — POSIX timers on CPU-time clocks (timer_create(2) with
 * CLOCK_PROCESS_CPUTIME_ID and CLOCK_THREAD_CPUTIME_ID) fire only once the
 * process / the thread has used that much CPU; the program burns CPU in
 * user code until the handler has run. */
#include "conf.h"

static volatile int fired[2], codes[2], vals[2];
static void h(int s, siginfo_t *si, void *uc)
{
	int i = si->si_value.sival_int;
	if (i == 0 || i == 1) {
		fired[i]++;
		codes[i] = si->si_code;
	}
}

int main(void)
{
	install(SIGUSR1, h, SA_RESTART);
	clockid_t clocks[2] = {CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID};
	const char *names[2] = {"CLOCK_PROCESS_CPUTIME_ID", "CLOCK_THREAD_CPUTIME_ID"};
	for (int i = 0; i < 2; i++) {
		struct sigevent ev;
		memset(&ev, 0, sizeof ev);
		ev.sigev_notify = SIGEV_SIGNAL;
		ev.sigev_signo = SIGUSR1;
		ev.sigev_value.sival_int = i;
		timer_t t;
		EXPECT(timer_create(clocks[i], &ev, &t) == 0, "%s: timer_create 0", names[i]);
		struct itimerspec its = {{0, 0}, {0, 20000000}};
		timer_settime(t, 0, &its, NULL);
		volatile unsigned long n = 0;
		while (!fired[i])
			n++;
		EXPECT(fired[i] == 1 && codes[i] == SI_TIMER, "%s: fired once after 20 ms of CPU, SI_TIMER %s", names[i], yes(codes[i] == SI_TIMER));
		struct itimerspec cur;
		timer_gettime(t, &cur);
		EXPECT(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0, "%s: disarmed after %s", names[i], yes(cur.it_value.tv_nsec == 0));
		timer_delete(t);
	}
	return conf_exit();
}
