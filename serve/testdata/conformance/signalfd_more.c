/* signalfd_more.c — signalfd(2) as a descriptor: epoll sees it ready while
 * a signal of its mask is pending and not after the read; readv spreads
 * records over iovecs; fcntl(F_SETFL) toggles O_NONBLOCK on it; a fork
 * child reads its own signals through the inherited descriptor, not its
 * parent's; after close(2) or dup2(2) over it the number is an ordinary
 * descriptor again (a pipe reads normally, and a read blocked on it is
 * interrupted by a handler that writes the pipe, then restarted). */
#include "conf.h"
#include <poll.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/uio.h>

static pid_t reader;
static int wake_fd;

static void on_usr1(int s, siginfo_t *si, void *uc)
{
	(void)s;
	(void)si;
	(void)uc;
	if (write(wake_fd, "x", 1) != 1)
		_exit(3);
}

static void *signaller(void *a)
{
	(void)a;
	wait_sleeping(getpid(), reader);
	kill(getpid(), SIGUSR1);
	return NULL;
}

static void *sender(void *a)
{
	(void)a;
	wait_sleeping(getpid(), reader);
	kill(getpid(), SIGUSR2);
	return NULL;
}

int main(void)
{
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	sigaddset(&m, SIGUSR2);
	sigaddset(&m, SIGRTMIN);
	pthread_sigmask(SIG_BLOCK, &m, NULL);
	int fd = signalfd(-1, &m, SFD_NONBLOCK | SFD_CLOEXEC);
	EXPECT(fd >= 0, "signalfd: %s", yes(fd >= 0));

	/* epoll readiness. */
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd}, got;
	EXPECT(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0, "epoll_ctl add: %s", yes(1));
	EXPECT(epoll_wait(ep, &got, 1, 0) == 0, "epoll empty: not ready %s", yes(1));
	kill(getpid(), SIGUSR1);
	int n = epoll_wait(ep, &got, 1, 0);
	EXPECT(n == 1 && (got.events & EPOLLIN) && got.data.fd == fd, "epoll after kill: ready %s", yes(n == 1));
	struct signalfd_siginfo si[3];
	EXPECT(read(fd, si, sizeof si) == sizeof si[0] && si[0].ssi_signo == SIGUSR1, "read: %s", sig(si[0].ssi_signo));
	EXPECT(epoll_wait(ep, &got, 1, 0) == 0, "epoll after read: not ready %s", yes(1));

	/* readv: two records over iovecs of 100, 0 and 156 bytes. */
	sigqueue(getpid(), SIGRTMIN, (union sigval){.sival_int = 7});
	kill(getpid(), SIGUSR2);
	char a[100], b[156];
	struct iovec iov[3] = {{a, sizeof a}, {NULL, 0}, {b, sizeof b}};
	ssize_t r = readv(fd, iov, 3);
	struct signalfd_siginfo r0, r1;
	memcpy(&r0, a, 100);
	memcpy((char *)&r0 + 100, b, 28);
	memcpy(&r1, b + 28, 128);
	EXPECT(r == 256, "readv: %zd bytes", r);
	printf("  %s then %s int %d\n", sig(r0.ssi_signo), sig(r1.ssi_signo), r1.ssi_int);
	EXPECT(!strcmp(RET(readv(fd, iov, 3)), "-1 EAGAIN"), "readv drained: %s", RET(readv(fd, iov, 3)));
	struct iovec small[2] = {{a, 60}, {b, 60}};
	EXPECT(!strcmp(RET(readv(fd, small, 2)), "-1 EINVAL"), "readv of 120 bytes: %s", RET(readv(fd, small, 2)));
	static struct iovec many[1025];
	EXPECT(!strcmp(RET(readv(fd, many, 1025)), "-1 EINVAL"), "readv of 1025 iovecs: %s", RET(readv(fd, many, 1025)));
	EXPECT(readv(fd, iov, 0) == 0, "readv of 0 iovecs: 0 %s", yes(1));

	/* O_NONBLOCK follows fcntl(F_SETFL). */
	int bfd = signalfd(-1, &m, SFD_CLOEXEC);
	EXPECT(fcntl(bfd, F_SETFL, O_NONBLOCK) == 0, "F_SETFL O_NONBLOCK: %s", yes(1));
	EXPECT(!strcmp(RET(read(bfd, si, sizeof si)), "-1 EAGAIN"), "nonblocking now: %s", RET(read(bfd, si, sizeof si)));
	EXPECT(fcntl(bfd, F_SETFL, 0) == 0, "F_SETFL 0: %s", yes(1));
	reader = gettid_();
	pthread_t t;
	pthread_create(&t, NULL, sender, NULL);
	r = read(bfd, si, sizeof si);
	EXPECT(r == sizeof si[0] && si[0].ssi_signo == SIGUSR2, "blocking again, woken: %s", sig(si[0].ssi_signo));
	pthread_join(t, NULL);

	/* A fork child reads its own signal, not its parent's. */
	kill(getpid(), SIGUSR1); /* the parent's, pending */
	int hs[2];
	if (pipe(hs))
		return 2;
	pid_t c = fork();
	if (c == 0) {
		struct signalfd_siginfo s;
		EXPECT(!strcmp(RET(read(fd, &s, sizeof s)), "-1 EAGAIN"), "child: parent's signal not read: %s", RET(read(fd, &s, sizeof s)));
		kill(getpid(), SIGUSR2);
		struct pollfd pf = {fd, POLLIN, 0};
		EXPECT(poll(&pf, 1, 0) == 1, "child: poll ready after its own signal %s", yes(pf.revents & POLLIN));
		ssize_t k = read(fd, &s, sizeof s);
		EXPECT(k == sizeof s && s.ssi_signo == SIGUSR2 && s.ssi_pid == (uint32_t)getpid(), "child: read its own %s from itself %s", sig(s.ssi_signo), yes(s.ssi_pid == (uint32_t)getpid()));
		hs_send(hs[1]);
		_exit(conf_failed);
	}
	hs_wait(hs[0]);
	int st;
	waitpid(c, &st, 0);
	EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child exited 0: %s", yes(WIFEXITED(st) && WEXITSTATUS(st) == 0));
	r = read(fd, si, sizeof si);
	EXPECT(r == sizeof si[0] && si[0].ssi_signo == SIGUSR1, "parent reads its own: %s", sig(si[0].ssi_signo));
	close(hs[0]);
	close(hs[1]);

	/* close, then the number is reused by pipe(2): plain reads. */
	close(ep);
	int num = fd;
	EXPECT(close(fd) == 0, "close: %s", yes(1));
	int p[2];
	if (pipe(p))
		return 2;
	EXPECT(p[0] == num, "pipe reuses the number: %s", yes(p[0] == num));
	kill(getpid(), SIGUSR1);
	char buf[8] = {0};
	EXPECT(write(p[1], "hi", 2) == 2 && read(p[0], buf, sizeof buf) == 2 && !strcmp(buf, "hi"), "pipe read: %s", buf);
	EXPECT(is_pending(SIGUSR1), "SIGUSR1 untouched: %s", yes(is_pending(SIGUSR1)));
	sigtimedwait(&m, NULL, &(struct timespec){0, 0});

	/* dup2 over a signalfd: the number is the pipe now. */
	EXPECT(dup2(p[0], bfd) == bfd, "dup2 over the signalfd: %s", yes(1));
	kill(getpid(), SIGUSR2);
	memset(buf, 0, sizeof buf);
	EXPECT(write(p[1], "yo", 2) == 2 && read(bfd, buf, sizeof buf) == 2 && !strcmp(buf, "yo"), "read of the dup2'd number: %s", buf);
	EXPECT(is_pending(SIGUSR2), "SIGUSR2 untouched: %s", yes(is_pending(SIGUSR2)));
	sigtimedwait(&m, NULL, &(struct timespec){0, 0});

	/* The self-pipe trick on the reused number: the blocked read is
	 * interrupted by the handler (SA_RESTART) and restarted. */
	wake_fd = p[1];
	install(SIGUSR1, on_usr1, SA_RESTART);
	reader = gettid_();
	pthread_t w;
	pthread_create(&w, NULL, signaller, NULL); /* SIGUSR1 blocked there */
	unblock1(SIGUSR1);
	memset(buf, 0, sizeof buf);
	r = read(bfd, buf, 1);
	EXPECT(r == 1 && buf[0] == 'x', "blocked read, handler wrote: %s", buf);
	pthread_join(w, NULL);
	return conf_exit();
}
