/*
 * supervise.h - a small parent that outlives the dashboard: when the curses
 * process dies by a signal it cannot catch (SIGKILL, the OOM killer), the
 * parent puts the terminal back as it found it and says so.
 */
#ifndef MEMTOP_SUPERVISE_H
#define MEMTOP_SUPERVISE_H

/*
 * Fork.  Returns 0 in the child, which goes on to run the dashboard.  The
 * parent never returns: it waits for the child, restores the terminal if the
 * child died by a signal, and exits with the child's status (128 + signal
 * when killed).  Without a terminal on stdin, or if fork fails, returns 0 in
 * the only process and supervises nothing.
 */
int supervise_dashboard(void);

#endif
