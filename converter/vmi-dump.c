/* SPDX-License-Identifier: Apache-2.0 */
#include "util.h"
#include "vmi.h"

char *vmi_dump(const struct vmi *vmi)
{
	return xasprintf("name = %s\n", vmi->name);
}
