/* signalfd_exec.c — signalfds across execve(2): a close-on-exec one is
 * gone (its number is the first free one in the new image), one without
 * SFD_CLOEXEC still reads the pending signals the exec kept (mask and
 * pending set survive execve); a posix_spawn'd child (vfork + exec) and a
 * second exec see the numbers free as well. */
#include "conf.h"
#include <spawn.h>
#include <sys/signalfd.h>

extern char **environ;

static void reexec(const char *stage, int fd)
{
	char num[16];
	snprintf(num, sizeof num, "%d", fd);
	execl("/proc/self/exe", "signalfd_exec", stage, num, (char *)NULL);
	perror("execl");
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "child")) {
		int nfd = open("/dev/null", O_RDONLY);
		printf("spawned child: lowest number free %s\n", yes(nfd == 3));
		return 0;
	}
	if (argc > 2 && !strcmp(argv[1], "one")) {
		int kept = atoi(argv[2]);
		int nfd = open("/dev/null", O_RDONLY);
		EXPECT(nfd == 3, "after exec: the close-on-exec signalfd's number is free %s", yes(nfd == 3));
		close(nfd);
		struct signalfd_siginfo si;
		EXPECT(read(kept, &si, sizeof si) == sizeof si && si.ssi_signo == SIGUSR2, "kept signalfd reads %s", sig(si.ssi_signo));
		sigset_t m;
		sigemptyset(&m);
		sigaddset(&m, SIGUSR1);
		EXPECT(signalfd(kept, &m, 0) == kept, "kept signalfd: mask replaced %s", yes(1));
		close(kept);
		reexec("two", kept);
	}
	if (argc > 2 && !strcmp(argv[1], "two")) {
		int p[2];
		if (pipe(p))
			return 2;
		char buf[4] = {0};
		EXPECT(p[0] == 3 && p[1] == atoi(argv[2]), "second exec: pipe gets both old numbers %s", yes(p[0] == 3 && p[1] == atoi(argv[2])));
		EXPECT(write(p[1], "ab", 2) == 2 && read(p[0], buf, sizeof buf) == 2 && !strcmp(buf, "ab"), "pipe read: %s", buf);
		EXPECT(close(p[0]) == 0 && close(p[1]) == 0, "closes: %s", yes(1));
		return conf_exit();
	}
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	sigaddset(&m, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &m, NULL);
	int gone = signalfd(-1, &m, SFD_CLOEXEC);
	int kept = signalfd(-1, &m, SFD_NONBLOCK);
	EXPECT(gone == 3 && kept == 4, "signalfds at the lowest numbers: %s", yes(gone == 3 && kept == 4));
	pid_t c;
	char *args[] = {"signalfd_exec", "child", NULL};
	int sp = posix_spawn(&c, "/proc/self/exe", NULL, NULL, args, environ);
	int st;
	waitpid(c, &st, 0); /* before printing: the child prints too */
	EXPECT(sp == 0, "posix_spawn: %s", yes(sp == 0));
	EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "spawned child exited 0: %s", yes(WIFEXITED(st) && WEXITSTATUS(st) == 0));
	kill(getpid(), SIGUSR2);
	reexec("one", kept);
}
