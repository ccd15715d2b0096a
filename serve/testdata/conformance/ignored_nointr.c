/* ignored_nointr.c — an ignored signal (SIG_IGN, or SIG_DFL whose default
 * is Ign: SIGCHLD, SIGURG, SIGWINCH) is discarded when it is generated and
 * does not interrupt a blocked read(2); a stop-default signal that the
 * thread has not blocked but the process ignores is discarded too. */
#include "conf.h"

static int p[2];
static volatile pid_t reader_tid;
static ssize_t rres;
static int rerr;

static void *reader(void *a)
{
	reader_tid = gettid_();
	char b[8];
	errno = 0;
	rres = read(p[0], b, sizeof b);
	rerr = errno;
	return NULL;
}

static void one(int s, void (*disp)(int), const char *dname)
{
	pthread_t t;
	set_disp(s, disp);
	reader_tid = 0;
	pipe(p);
	pthread_create(&t, NULL, reader, NULL);
	while (!reader_tid)
		sched_yield();
	wait_sleeping(getpid(), reader_tid);
	pthread_kill(t, s);
	kill(getpid(), s);
	write(p[1], "abc", 3);
	pthread_join(t, NULL);
	EXPECT(rres == 3, "%s %s: read = %s", sig(s), dname, conf_ret(rres, rerr));
	EXPECT(!is_pending(s), "%s %s: pending afterwards %s", sig(s), dname, yes(is_pending(s)));
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	one(SIGUSR1, SIG_IGN, "SIG_IGN");
	one(SIGCHLD, SIG_DFL, "SIG_DFL");
	one(SIGURG, SIG_DFL, "SIG_DFL");
	one(SIGWINCH, SIG_DFL, "SIG_DFL");
	one(SIGTSTP, SIG_IGN, "SIG_IGN");
	one(SIGRTMIN + 3, SIG_IGN, "SIG_IGN");
	return conf_exit();
}
