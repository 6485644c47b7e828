/*
 * supervise.c - restore the terminal after the dashboard is killed.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "supervise.h"

static volatile pid_t supervised_child;

/* Pass the signals meant for memtop on to the dashboard. */
static void
supervise_forward(int sig)
{
	if (supervised_child > 0)
		kill(supervised_child, sig);
}

static void
supervise_restore(const struct termios *saved)
{
	/* Leave the alternate screen, reset attributes, show the cursor:
	 * what endwin() would have sent on an xterm-like terminal. */
	static const char reset[] = "\033[?1049l\033[0m\033[?25h\r\n";

	tcsetattr(STDIN_FILENO, TCSADRAIN, saved);
	if (write(STDOUT_FILENO, reset, sizeof reset - 1) < 0)
		return;
}

int
supervise_dashboard(void)
{
	struct termios saved;
	struct sigaction sa;
	pid_t pid, w;
	int status;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved) != 0)
		return 0;
	pid = fork();
	if (pid <= 0)
		return 0; /* the child, or no fork: run unsupervised */

	supervised_child = pid;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = supervise_forward;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* ^C and ^\ reach the child through the process group as well; a
	 * second one from here is harmless, and `kill -INT` of the PID a
	 * script knows (this one) must stop memtop too.  On ^Z the parent
	 * stops only once the child has put the terminal back and stopped,
	 * so the shell's "Stopped" lands on the normal screen. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	signal(SIGTSTP, SIG_IGN);

	for (;;) {
		w = waitpid(pid, &status, WUNTRACED);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			exit(1);
		if (!WIFSTOPPED(status))
			break;
		raise(SIGSTOP); /* fg continues us and the child */
	}
	supervised_child = 0; /* reaped: its PID may be reused */
	if (WIFEXITED(status))
		exit(WEXITSTATUS(status));
	supervise_restore(&saved);
	fprintf(stderr,
	    "memtop: the dashboard was killed by signal %d (%s); "
	    "terminal restored\n",
	    WTERMSIG(status), strsignal(WTERMSIG(status)));
	exit(128 + WTERMSIG(status));
}
