/* rt_queue_order.c — real-time signals queue with their values and are
 * delivered lowest number first, FIFO within a number; pending standard
 * signals go before them (signal(7), "Real-time signals"; next_signal()).
 * With sa_mask blocking all of them, unblocking runs the handlers one
 * after the other in that order. */
#include "conf.h"

static char log_[512];
static int loglen;
static void h(int s, siginfo_t *si, void *uc)
{
	loglen += snprintf(log_ + loglen, sizeof log_ - loglen, " %s:%d", sig(s), si->si_code == SI_QUEUE ? si->si_value.sival_int : -1);
}

int main(void)
{
	sigset_t all;
	sigemptyset(&all);
	int sigs[] = {SIGUSR2, SIGUSR1, SIGRTMIN, SIGRTMIN + 1, SIGRTMIN + 4, SIGRTMAX};
	for (int i = 0; i < 6; i++)
		sigaddset(&all, sigs[i]);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = h;
	sa.sa_flags = SA_SIGINFO;
	sa.sa_mask = all;
	for (int i = 0; i < 6; i++)
		sigaction(sigs[i], &sa, NULL);
	pthread_sigmask(SIG_BLOCK, &all, NULL);

	union sigval v;
	int order[][2] = {{SIGRTMAX, 1}, {SIGRTMIN + 4, 2}, {SIGRTMIN, 3}, {SIGRTMIN + 4, 4}, {SIGRTMIN, 5},
			  {SIGRTMIN + 1, 6}, {SIGRTMIN, 7}, {SIGUSR2, 8}, {SIGRTMAX, 9}, {SIGUSR1, 10}};
	for (int i = 0; i < 10; i++) {
		v.sival_int = order[i][1];
		sigqueue(getpid(), order[i][0], v);
	}
	pthread_sigmask(SIG_UNBLOCK, &all, NULL);
	printf("delivered:%s\n", log_);
	EXPECT(!strcmp(log_, " SIGUSR1:10 SIGUSR2:8 SIGRTMIN+0:3 SIGRTMIN+0:5 SIGRTMIN+0:7 SIGRTMIN+1:6 SIGRTMIN+4:2 SIGRTMIN+4:4 SIGRTMIN+30:1 SIGRTMIN+30:9"),
	       "order is lowest first, FIFO per signal: %s", yes(1));
	return conf_exit();
}
