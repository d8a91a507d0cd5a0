// SPDX-License-Identifier: GPL-2.0
/*
 * hello_bench - the reference of `make bench` figure 5: the smallest DKMS
 * package there is, one source file, to set the floor of a `dkms build`.
 */
#include <linux/init.h>
#include <linux/module.h>

static int __init hello_bench_init(void)
{
	pr_info("hello_bench: hello\n");
	return 0;
}

static void __exit hello_bench_exit(void)
{
	pr_info("hello_bench: goodbye\n");
}

module_init(hello_bench_init);
module_exit(hello_bench_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("One-file hello module: the floor of a DKMS build");
