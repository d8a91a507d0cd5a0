/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The project's version: the one place it is written. dkms.conf,
 * debian/changelog and rpm/roulette-dkms.spec are checked against it
 * (scripts/check-version.sh).
 */
#ifndef ROULETTE_VERSION_H
#define ROULETTE_VERSION_H

#define ROULETTE_VERSION "0.3.0"
#define ROULETTE_AUTHOR "roulette-dkms developers <roulette-dkms@lists.example.org>"

#endif /* ROULETTE_VERSION_H */
