/* sigterm.c — killed by SIGTERM from itself: the emulator must report the
 * signal so that a shell sees 143. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	printf("about to die\n");
	fflush(stdout);
	kill(getpid(), SIGTERM);
	pause();
	printf("not reached\n");
	return 0;
}
