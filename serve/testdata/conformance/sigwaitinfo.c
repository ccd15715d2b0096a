/* sigwaitinfo.c — sigwaitinfo(2) and sigwait(3) wait for a blocked signal
 * sent by another thread (thread-directed) or another process
 * (process-directed), and the siginfo names the sender. */
#include "conf.h"

static pthread_t main_thr;
static void *sender(void *a)
{
	pthread_sigqueue(main_thr, SIGRTMIN + 1, (union sigval){.sival_int = 99});
	return NULL;
}

int main(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGRTMIN + 1);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	main_thr = pthread_self();
	pthread_t t;
	pthread_create(&t, NULL, sender, NULL);
	siginfo_t si;
	int s = sigwaitinfo(&set, &si);
	EXPECT(s == SIGRTMIN + 1 && si.si_code == SI_QUEUE && si.si_value.sival_int == 99 && si.si_pid == getpid(),
	       "from a thread: %s code %d value %d pid self %s", sig(s), si.si_code, si.si_value.sival_int, yes(si.si_pid == getpid()));
	pthread_join(t, NULL);

	pid_t parent = getpid();
	pid_t c = fork();
	if (c == 0) {
		kill(parent, SIGUSR1);
		_exit(0);
	}
	s = sigwaitinfo(&set, &si);
	EXPECT(s == SIGUSR1 && si.si_code == SI_USER && si.si_pid == c && si.si_uid == getuid(),
	       "from a child: %s code %d pid is the child %s uid %s", sig(s), si.si_code, yes(si.si_pid == c), yes(si.si_uid == getuid()));
	waitpid(c, NULL, 0);

	/* sigwait: the SIGTERM that would kill us is just taken. */
	kill(getpid(), SIGTERM);
	int got = 0;
	EXPECT(sigwait(&set, &got) == 0 && got == SIGTERM, "sigwait: %s", sig(got));
	return conf_exit();
}
