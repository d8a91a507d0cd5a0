#!/bin/bash
# shellcheck shell=bash
# make systest: Secure Boot (sourced by scripts/systest.sh): the system on
# a PC with Microsoft's keys in OVMF, Debian's signed shim and grub, the
# DKMS key enrolled in shim's MokList or not; guest suite tests/secureboot/.

OVMF=/usr/share/OVMF	# the host's ovmf: the PC's firmware
MOK_GUID=605dab50-e046-4300-abb6-3dd810dd8b23	# shim's variables (MokList)

# sb_efi_binaries DIR: the signed shim, MokManager and grub, downloaded by
# the system's apt (the packages a Debian Secure Boot install has).
sb_efi_binaries() {
	local dl=/var/tmp/roulette-sb deb
	rm -rf "${ROOT:?}$dl" && mkdir -p "$ROOT$dl" "$1" &&
		R env -C "$dl" apt-get download -o APT::Sandbox::User=root \
			shim-signed shim-helpers-amd64-signed grub-efi-amd64-signed || return
	for deb in "$ROOT$dl"/*.deb; do dpkg-deb -x "$deb" "$1" || return; done
	rm -rf "${ROOT:?}$dl"
}

# sb_enrol SUITE VARS: what MokManager does once the user confirms
# mokutil --import: the DKMS key in shim's MokList, here written into a
# copy of the firmware's variable store by virt-fw-vars (python3-virt-firmware,
# installed in the suite's chroot, scripts/lib-root.sh: suite_root).
sb_enrol() {
	local root tmp rc
	root=$(suite_root "$1") || return
	(suite_lock "$1" || exit; [ -x "$root/usr/bin/virt-fw-vars" ] ||
		root_run "$root" apt-get install -y -qq --no-install-recommends python3-virt-firmware) \
		>>"$ROOT_LOG" 2>&1 || return
	tmp=$(mktemp -d "$root/tmp/roulette-sb.XXXXXX") || return
	Rout openssl x509 -inform DER -in /var/lib/dkms/mok.pub >"$tmp/mok.pem" &&
		cp "$OVMF/OVMF_VARS_4M.ms.fd" "$tmp/vars.fd" &&
		root_run "$root" env -C "/tmp/${tmp##*/}" virt-fw-vars --input vars.fd --output out.fd \
			--secure-boot --add-mok "$MOK_GUID" mok.pem >>"$ROOT_LOG" 2>&1 &&
		mv "$tmp/out.fd" "$2"
	rc=$?
	rm -rf "$tmp"
	return "$rc"
}

# sb_esp DISK KREL UUID APPEND: a GPT disk with an EFI system partition:
# shim as the removable-media loader, MokManager and grub beside it, and
# grub's grub.cfg (EFI/debian/) booting KREL from the root filesystem UUID.
sb_esp() {
	local disk=$1 esp=$1.fat efi=$WORK/sb/efi cfg=$1.cfg k
	k=$(vmlinuz "$2")
	printf '%s\n' 'set timeout=0' "search --no-floppy --fs-uuid --set=root $3" \
		"linux ${k#"$ROOT"} root=UUID=$3 rw $(guest_cmdline "$4")" \
		"initrd /boot/initrd.img-$2" boot >"$cfg"
	rm -f "$esp" "$disk"
	mkfs.vfat -C "$esp" 32768 >/dev/null &&
		mmd -i "$esp" ::/EFI ::/EFI/BOOT ::/EFI/debian &&
		mcopy -i "$esp" "$efi/usr/lib/shim/shimx64.efi.signed" ::/EFI/BOOT/BOOTX64.EFI &&
		mcopy -i "$esp" "$efi/usr/lib/shim/mmx64.efi.signed" ::/EFI/BOOT/mmx64.efi &&
		mcopy -i "$esp" "$efi/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed" ::/EFI/BOOT/grubx64.efi &&
		mcopy -i "$esp" "$cfg" ::/EFI/debian/grub.cfg &&
		truncate -s 40M "$disk" && sgdisk -o -n1:2048:0 -t1:ef00 "$disk" >/dev/null &&
		dd if="$esp" of="$disk" bs=1M seek=1 conv=notrunc status=none
}

# secure_boot [--end] ROW...: the system on a Secure Boot PC (OVMF with
# Microsoft's keys, Debian's signed shim, grub and kernels), side by side:
# the first row's kernel before the DKMS key is enrolled (modules
# refused), and the newest row's (the last; a kernel upgrade DKMS signed
# with the same key) with the key in MokList, which runs the whole system
# suite (tests/systest/) beside tests/secureboot/. With --end, that boot
# goes on to the rest of the system's life (lived.sh: lived_end_suites) on
# a disk of its own, which comes back as $ROOT. (The enrolled boot of
# every row, until 2026-12-07: the lived end made the run too long; the
# first row's kernel runs the user's modules in the lived install.)
secure_boot() {
	local d=$WORK/sb r k uuid mok=absent tag su a end='' kind drive
	[ "$1" != --end ] || { shift && end=${*: -1}; }
	rm -rf "$d" && mkdir -p "$d"
	expect_host "host: ovmf, mtools, dosfstools, gdisk" "apt-get failed" \
		host_install secureboot || return
	expect_host "apt install mokutil" "apt-get failed" apt_get install mokutil || return
	expect_host "signed shim, MokManager and grub downloaded by apt" "apt-get download failed" \
		sb_efi_binaries "$d/efi" || return
	expect_host "DKMS key added to MokList in a copy of OVMF_VARS_4M.ms.fd (virt-fw-vars)" \
		"virt-fw-vars failed" sb_enrol "${SUITE_OF[$1]}" "$d/enrolled.vars" || return
	[ -z "$end" ] || lived_prepare || return
	system_disk "$d/disk.img" || return
	uuid=$(blkid -o value -s UUID "$d/disk.img")
	cp "$OVMF/OVMF_VARS_4M.ms.fd" "$d/absent.vars"
	for r in "$1" "${@: -1}"; do
		# the first boot: key not enrolled, the modules refused; then the
		# whole system suite with the key enrolled
		su=systest/01-system.sh,secureboot
		[ "$mok" = absent ] || su=systest,secureboot
		k=$(krel "$r") tag=$r-sb-$mok
		cp "$d/$mok.vars" "$d/$tag.vars"
		a="systemd.unit=roulette-systest.service suites=$su systest.kernel=$k"
		a+=" systest.version=$VERSION systest.signer=dkms systest.mok=$mok"
		kind=system drive=file=$d/disk.img,format=raw,if=virtio,snapshot=on
		if [ "$mok" = enrolled ] && [ -n "$end" ]; then
			lived_end_boot "$d/disk.img" "$@" || return
			end=$tag
		fi
		sb_esp "$d/$tag.disk" "$k" "$uuid" "$a" || {
			record FAIL "[$TARGET] EFI system partition" "mkfs.vfat, mtools or sgdisk failed"
			return 1
		}
		GUEST_KIND=$kind guest_start "$tag" "$d" firmware "" "$a" -machine q35,smm=on \
			-global driver=cfi.pflash01,property=secure,value=on \
			-drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF/OVMF_CODE_4M.secboot.fd" \
			-drive "if=pflash,format=raw,unit=1,file=$d/$tag.vars" \
			-drive "file=$d/$tag.disk,format=raw,if=virtio" \
			-drive "$drive"
		mok=enrolled
	done
	guest_wait
	[ -z "$end" ] || lived_end_root "$end" "$d/end.img" "$d"
}
