/*
 * threads.c - a C program whose threads malloc: glibc gives each its own
 * arena.  Prints its PID, then every thread keeps what it mallocs.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NTHREADS 4

static void *
worker(void *arg)
{
	(void)arg;
	for (;;) {
		char *p = malloc(1000);

		memset(p, 1, 1000);
		usleep(500);
	}
	return NULL;
}

int
main(void)
{
	pthread_t t[NTHREADS];
	int i;

	for (i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	printf("%d\n", (int)getpid());
	fflush(stdout);
	pause();
	return 0;
}
