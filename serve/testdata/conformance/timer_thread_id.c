/* timer_thread_id.c — SIGEV_THREAD_ID (timer_create(2), Linux-specific)
 * sends the expiry signal to the named thread only: both threads block
 * it, the worker takes it with sigwaitinfo, and it never pends for the
 * main thread or the process. A tid outside the process is EINVAL; a timer
 * aimed at the main thread reaches the main thread. */
#include "conf.h"

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

static volatile pid_t wtid;
static int got, code, val, in_worker;

static void *worker(void *a)
{
	wtid = gettid_();
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGRTMIN + 2);
	siginfo_t si;
	got = sigwaitinfo(&m, &si);
	code = si.si_code;
	val = si.si_value.sival_int;
	in_worker = 1;
	return NULL;
}

int main(void)
{
	block1(SIGRTMIN + 2);
	pthread_t th;
	pthread_create(&th, NULL, worker, NULL);
	while (!wtid)
		sched_yield();
	struct sigevent ev;
	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = SIGEV_THREAD_ID;
	ev.sigev_signo = SIGRTMIN + 2;
	ev.sigev_value.sival_int = 31;
	ev.sigev_notify_thread_id = wtid;
	timer_t t;
	EXPECT(timer_create(CLOCK_MONOTONIC, &ev, &t) == 0, "timer_create(SIGEV_THREAD_ID worker): 0");
	struct itimerspec its = {{0, 0}, {0, 5000000}};
	timer_settime(t, 0, &its, NULL);
	pthread_join(th, NULL);
	EXPECT(got == SIGRTMIN + 2 && code == SI_TIMER && val == 31 && in_worker, "worker took %s si_code SI_TIMER %s value %d", sig(got), yes(code == SI_TIMER), val);
	EXPECT(!is_pending(SIGRTMIN + 2), "nothing pending for main: %s", yes(!is_pending(SIGRTMIN + 2)));
	timer_delete(t);

	ev.sigev_notify_thread_id = 1;
	EXPECT(!strcmp(RET(timer_create(CLOCK_MONOTONIC, &ev, &t)), "-1 EINVAL"), "tid outside the process: %s", RET(timer_create(CLOCK_MONOTONIC, &ev, &t)));

	/* To the main thread itself. */
	ev.sigev_notify_thread_id = gettid_();
	timer_create(CLOCK_MONOTONIC, &ev, &t);
	timer_settime(t, 0, &its, NULL);
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGRTMIN + 2);
	siginfo_t si;
	int s = sigwaitinfo(&m, &si);
	EXPECT(s == SIGRTMIN + 2 && si.si_code == SI_TIMER, "to main: %s SI_TIMER %s", sig(s), yes(si.si_code == SI_TIMER));
	timer_delete(t);
	return conf_exit();
}
