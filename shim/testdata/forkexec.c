/* forkexec.c — a fork child registers with the emulator as a new process
 * (its channel in TLS is the parent's until the shim notices the fork), and
 * an exec'd image is shimmed again (LD_PRELOAD and the memfds survive
 * execve). Output and exit status are the same natively and emulated. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "exec") == 0) {
		int ok = 0;
		for (int i = 0; i < 100; i++)
			ok += getppid() > 1 && kill(getpid(), 0) == 0;
		printf("exec'd image: %d/100 calls ok\n", ok);
		return 7;
	}
	pid_t me = getpid();
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		int ok = 0;
		for (int i = 0; i < 100; i++)
			ok += getppid() == me && kill(getpid(), 0) == 0;
		printf("fork child: %d/100 calls ok\n", ok);
		fflush(stdout);
		execl("/proc/self/exe", argv[0], "exec", (char *)0);
		perror("execl");
		return 1;
	}
	int st;
	waitpid(c, &st, 0);
	printf("parent: child exited %d, parent calls ok %d\n", WEXITSTATUS(st), getppid() > 0 && kill(c, 0) != 0);
	return 0;
}
