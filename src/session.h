/*
 * session.h - session files: the recorder (record.h) and the replay source
 * (replay.h).  The format is documented byte by byte in
 * doc/session-format.md.
 */
#ifndef MEMTOP_SESSION_H
#define MEMTOP_SESSION_H

#define SESSION_MAJOR     1
#define SESSION_MINOR     2
#define SESSION_KEY_EVERY 64 /* a key frame at least every N samples */

#include "record.h"
#include "replay.h"

#endif
