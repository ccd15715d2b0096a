/* itimer_prof.c — CPU-time interval timers: ITIMER_PROF (SIGPROF) and
 * ITIMER_VIRTUAL (SIGVTALRM) fire only once the process has used that much
 * CPU; the program burns CPU in user code until the handler has run. */
#include "conf.h"
#include <sys/time.h>

static volatile int prof, vt;
static void h(int s, siginfo_t *si, void *uc)
{
	if (s == SIGPROF)
		prof++;
	else
		vt++;
}

int main(void)
{
	install(SIGPROF, h, SA_RESTART);
	install(SIGVTALRM, h, SA_RESTART);
	struct itimerval it = {{0, 0}, {0, 20000}};
	setitimer(ITIMER_PROF, &it, NULL);
	volatile unsigned long n = 0;
	while (!prof)
		n++;
	EXPECT(prof == 1, "ITIMER_PROF 20 ms one-shot: SIGPROF after burning CPU %s", yes(prof == 1));
	setitimer(ITIMER_VIRTUAL, &it, NULL);
	while (!vt)
		n++;
	EXPECT(vt == 1, "ITIMER_VIRTUAL 20 ms one-shot: SIGVTALRM %s", yes(vt == 1));
	struct itimerval cur;
	getitimer(ITIMER_PROF, &cur);
	EXPECT(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0, "expired: disarmed %s", yes(cur.it_value.tv_usec == 0));
	return conf_exit();
}
