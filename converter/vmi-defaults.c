/* SPDX-License-Identifier: Apache-2.0 */
#include "vmi.h"

int vmi_apply_defaults(struct vmi *vmi, hvl_error **err)
{
	(void)vmi;
	(void)err;
	return 0;
}
