#include "config.h"
#include "export-om.h"
#include "tap.h"
int
main(void)
{
	ok(export_om_negotiate(NULL) == EXPORT_OM_PROMETHEUS, "stub");
	return tap_done();
}
