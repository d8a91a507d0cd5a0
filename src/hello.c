// SPDX-License-Identifier: GPL-2.0
/*
 * hello - the classic hello-world module: one line at load, one at unload.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>

#include "version.h"

static int __init hello_init(void)
{
	pr_info("Hello, world\n");
	return 0;
}

static void __exit hello_exit(void)
{
	pr_info("Goodbye, world\n");
}

module_init(hello_init);
module_exit(hello_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR(ROULETTE_AUTHOR);
MODULE_DESCRIPTION("Hello-world module: logs a greeting at load and unload");
MODULE_VERSION(ROULETTE_VERSION);
