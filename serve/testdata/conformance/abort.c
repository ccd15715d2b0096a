/* abort.c — abort(3): SIGABRT's handler runs, and when it returns the
 * process still dies by SIGABRT (glibc resets the action and raises
 * again), even with SIGABRT blocked beforehand. The test sees SIGABRT. */
#include "conf.h"

static void h(int s, siginfo_t *si, void *uc)
{
	printf("handler: %s si_code SI_TKILL %s\n", sig(s), yes(si->si_code == SI_TKILL));
}

int main(void)
{
	no_core();
	install(SIGABRT, h, 0);
	block1(SIGABRT);
	printf("calling abort\n");
	abort();
	printf("not reached\n");
	return 0;
}
