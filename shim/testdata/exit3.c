/* exit3.c — exits with status 3 after a trapped syscall. */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	printf("ppid known: %d\n", getppid() > 0);
	fflush(stdout);
	return 3;
}
