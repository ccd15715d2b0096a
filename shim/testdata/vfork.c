/* vfork.c — a vfork(2) child runs on its parent's memory, TLS and stack
 * until it execs or exits (clone(CLONE_VM|CLONE_VFORK)), so the shim's
 * per-thread channel in TLS is its parent's: its trapped syscalls must not
 * be taken by the emulator as the parent's. The child blocks signals,
 * resets a handler to SIG_DFL, runs a handler of its own, leaves a mask
 * other than its parent's and execs /bin/true — or, the second time, a
 * program that does not exist and then _exit(3)s, as posix_spawn and Go's
 * os/exec do when execve fails. The parent must then carry on as itself:
 * it reaps the children, its mask is its own, and a signal it has a
 * handler for reaches that handler. Output and exit status are the same
 * natively and emulated. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t got;

static void on_usr1(int sig)
{
	got = sig;
}

/* Written by the vfork children, whose memory is their parent's. */
static volatile sig_atomic_t child_got;

static void on_usr2(int sig)
{
	(void)sig;
	child_got++;
}

static int spawn(const char *path)
{
	char *const argv[] = {(char *)path, 0};
	pid_t c = vfork();
	if (c == 0) {
		sigset_t all;
		sigfillset(&all);
		sigprocmask(SIG_SETMASK, &all, 0);
		signal(SIGUSR1, SIG_DFL);
		/* A handler of the child's own, run natively: the frame
		 * the kernel builds and the handler's rt_sigreturn. */
		signal(SIGUSR2, on_usr2);
		sigset_t term;
		sigemptyset(&term);
		sigaddset(&term, SIGTERM);
		sigprocmask(SIG_SETMASK, &term, 0);
		kill(getpid(), SIGUSR2);
		/* The environment (LD_PRELOAD and the memfds) goes along,
		 * so the exec'd image is shimmed and registers itself. */
		execve(path, argv, environ);
		_exit(3);
	}
	int st = -1;
	if (c < 0 || waitpid(c, &st, 0) != c)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(void)
{
	signal(SIGUSR1, on_usr1);
	sigset_t before, after;
	sigprocmask(SIG_BLOCK, 0, &before);
	int a = spawn("/bin/true");
	int b = spawn("/nonexistent/siglab-vfork");
	sigprocmask(SIG_BLOCK, 0, &after);
	printf("exec child: %d, failed exec child: %d, parent mask kept: %d\n", a, b,
	       sigismember(&before, SIGUSR1) == sigismember(&after, SIGUSR1) &&
		       sigismember(&after, SIGTERM) == 0);
	fflush(stdout);
	raise(SIGUSR1);
	printf("parent handler ran: %d, child handlers ran: %d\n", got == SIGUSR1, (int)child_got);
	return 0;
}
