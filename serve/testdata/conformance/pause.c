/* pause.c — pause(2) sleeps until a signal is delivered whose action is a
 * handler (returning -1 EINTR after it ran) or terminates the process;
 * ignored signals and SIG_DFL-ignore signals do not wake it. */
#include "conf.h"

static volatile int calls;
static void h(int s, siginfo_t *si, void *uc) { calls++; }

static pid_t main_tid;
static volatile int returned;
/* sender waits until main sleeps, sends the ignored signals, then SIGUSR1
 * until pause has returned: should a wait_sleeping see main asleep on its
 * way to pause (in an emulated call before it), the next SIGUSR1 still
 * ends the pause, and only yes/no is printed. */
static void *sender(void *a)
{
	wait_sleeping(getpid(), main_tid);
	kill(getpid(), SIGWINCH); /* default Ign: no wake-up */
	kill(getpid(), SIGUSR2);  /* SIG_IGN: no wake-up */
	while (!returned) {
		kill(getpid(), SIGUSR1);
		struct timespec ts = {0, 2000000};
		nanosleep(&ts, NULL);
	}
	return NULL;
}

int main(void)
{
	install(SIGUSR1, h, 0);
	set_disp(SIGUSR2, SIG_IGN);
	main_tid = gettid_();
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	sigaddset(&m, SIGUSR2);
	sigaddset(&m, SIGWINCH);
	pthread_t t;
	pthread_sigmask(SIG_BLOCK, &m, NULL);
	pthread_create(&t, NULL, sender, NULL); /* the sender blocks them all: they go to main */
	pthread_sigmask(SIG_UNBLOCK, &m, NULL);
	int r = pause();
	int e = errno;
	returned = 1;
	EXPECT(r == -1 && e == EINTR && calls >= 1, "pause: %s, handler ran first %s", conf_ret(r, e), yes(calls >= 1));
	pthread_join(t, NULL);

	/* pause ended by a terminating signal, in a child. */
	pid_t c = fork();
	if (c == 0) {
		pause();
		_exit(0);
	}
	wait_sleeping(c, c);
	kill(c, SIGTERM);
	int st;
	waitpid(c, &st, 0);
	EXPECT(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "child in pause killed by %s", WIFSIGNALED(st) ? sig(WTERMSIG(st)) : "nothing");
	return conf_exit();
}
