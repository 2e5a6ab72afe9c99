#!/usr/bin/env python3
"""Builds data/spdx/licenses.json: the SPDX license list with a provledger
license class per identifier (docs/policy.md, "License classes").

Input: the SPDX list as packaged by Debian's php-composer-spdx-licenses
(/usr/share/php/data/Composer/res/spdx-licenses.json and spdx-exceptions.json;
version 1.5.7 carries SPDX license list 3.17). The class rules below are
provledger's, reviewed by hand; an identifier no rule covers is "unknown",
which the default policy flags for a person to decide.

  tools/spdx/make_license_data.py LICENSES.json EXCEPTIONS.json 3.17 > data/spdx/licenses.json
"""
import json
import re
import sys

PUBLIC_DOMAIN = {"CC0-1.0", "Unlicense", "PDDL-1.0", "CC-PDDC", "NIST-PD", "NIST-PD-fallback",
                 "SAX-PD", "ANTLR-PD", "ANTLR-PD-fallback", "blessing"}
NON_COMMERCIAL = [r"^CC-BY-NC-", r"^PolyForm-Noncommercial-"]
NO_DERIVATIVES = [r"^CC-BY-ND-"]
PROPRIETARY = {"BUSL-1.1", "Elastic-2.0", "PolyForm-Small-Business-1.0.0", "SSPL-1.0"}
STRONG = [r"^GPL-\d\.\d(\+|-only|-or-later)?$", r"^AGPL-", r"^CC-BY-SA-", r"^ODbL-",
          r"^CDLA-Sharing-", r"^OSL-", r"^RPL-", r"^EUPL-", r"^copyleft-next-", r"^GFDL-",
          r"^CECILL-(1\.0|1\.1|2\.0|2\.1)$", r"^CERN-OHL-S-", r"^Sleepycat$", r"^QPL-",
          r"^NPOSL-", r"^Parity-", r"^RPSL-", r"^SimPL-", r"^TAPR-OHL-", r"^CAL-1\.0$",
          r"^LiLiQ-Rplus-", r"^Linux-man-pages-copyleft$", r"^OGTSL$", r"^LAL-"]
WEAK = [r"^LGPL", r"^MPL-", r"^EPL-", r"^CPL-", r"^CDDL-", r"^CECILL-C$", r"^CERN-OHL-W-",
        r"^MS-RL$", r"^LiLiQ-R-", r"^APSL-", r"^IPL-", r"^SPL-", r"^NPL-", r"^ErlPL-",
        r"^GPL-.*-with-.*-exception$", r"^CPAL-", r"^eCos-", r"^wxWindows$", r"^OSET-PL-",
        r"^Watcom-", r"^RHeCos-", r"^YPL-", r"^OFL-", r"^CAL-1\.0-Combined", r"^Motosoto$",
        r"^Nokia$", r"^SISSL", r"^SugarCRM-", r"^Zimbra-", r"^Interbase-", r"^GL2PS$",
        r"^CUA-OPL-", r"^RSCPL$", r"^OCLC-", r"^CATOSL-", r"^Artistic-1\.0", r"^LPL-",
        r"^APL-1\.0$", r"^D-FSL-", r"^EUDatagrid$", r"^CDL-1\.0$", r"^MulanPSL-1\.0$",
        r"^CERN-OHL-1\."]
PERMISSIVE = [r"^MIT", r"^BSD-", r"^0BSD$", r"^Apache-", r"^ISC$", r"^Zlib$", r"^zlib-",
              r"^CC-BY-\d", r"^ODC-By-", r"^CDLA-Permissive-", r"^OGL-", r"^etalab-",
              r"^DL-DE-BY-", r"^NLOD-", r"^Artistic-2\.0$", r"^PSF-", r"^Python-2\.0",
              r"^CNRI-Python", r"^BSL-1\.0$", r"^UPL-", r"^X11", r"^curl$", r"^[Ll]ibpng",
              r"^Unicode-DFS", r"^W3C", r"^PostgreSQL$", r"^NCSA$", r"^ZPL-", r"^AFL-",
              r"^ECL-", r"^Ruby$", r"^OpenSSL$", r"^WTFPL$", r"^Beerware$", r"^HPND",
              r"^FSFAP$", r"^FSFUL", r"^ICU$", r"^IJG$", r"^JSON$", r"^MS-PL$", r"^NTP",
              r"^OLDAP-", r"^PHP-", r"^TCL$", r"^Vim$", r"^VSL-", r"^Xnet$", r"^XFree86-",
              r"^BlueOak-", r"^MulanPSL-2\.0$", r"^AML$", r"^AAL$", r"^EFL-", r"^Entessa$",
              r"^Fair$", r"^Frameworx-", r"^NASA-", r"^Naumen$", r"^NGPL$", r"^OGC-",
              r"^OGDL-", r"^O-UDA-", r"^C-UDA-", r"^UCL-", r"^Unicode-TOU$", r"^bzip2-",
              r"^Info-ZIP$", r"^libtiff$", r"^Sendmail", r"^SMLNJ$", r"^StandardML-NJ$",
              r"^TU-Berlin-", r"^Xerox$", r"^xinetd$", r"^X11-", r"^MirOS$", r"^Intel$",
              r"^ImageMagick$", r"^FTL$", r"^Giftware$", r"^CERN-OHL-P-", r"^SGI-B-2\.0$",
              r"^EPICS$", r"^Spencer-", r"^TCP-wrappers$", r"^DSDP$", r"^Net-SNMP$",
              r"^NetCDF$", r"^mpich2$", r"^Zed$", r"^Cube$", r"^MTLL$", r"^Qhull$",
              r"^W3C-", r"^Bitstream-Vera$", r"^Imlib2$", r"^Jam$", r"^JasPer-",
              r"^Latex2e$", r"^LPPL-", r"^Leptonica$", r"^MakeIndex$", r"^Multics$",
              r"^NRL$", r"^PSF-2\.0$", r"^SSH-", r"^SWL$", r"^Saxpath$", r"^SchemeReport$",
              r"^NCGL-UK-", r"^OPUBL-", r"^Community-Spec-", r"^diffmark$", r"^dvipdfm$",
              r"^psutils$", r"^psfrag$", r"^mplus$", r"^libselinux-", r"^gnuplot$",
              r"^xpp$", r"^Wsuipa$", r"^Mup$", r"^Rdisc$", r"^Plexus$", r"^Newsletr$",
              r"^Noweb$", r"^Nunit$", r"^Eurosym$", r"^Glulxe$", r"^Crossword$",
              r"^CrystalStacker$", r"^Dotseqn$", r"^Borceux$", r"^Barr$", r"^Bahyph$",
              r"^Abstyles$", r"^Afmparse$", r"^App-s2p$", r"^Baekmuk$", r"^Arphic-1999$",
              r"^IPA$", r"^TMate$", r"^VOSTROM$", r"^Xskat$", r"^XSkat$", r"^HTMLTIDY$",
              r"^HaskellReport$", r"^IBM-pibs$", r"^Intel-ACPI$", r"^Linux-OpenIB$",
              r"^GD$", r"^Glide$", r"^FreeBSD-DOC$", r"^DOC$", r"^OML$", r"^NAIST-2003$",
              r"^JPNIC$", r"^iMatix$", r"^eGenix$", r"^gSOAP-", r"^SNIA$", r"^SMPPL$",
              r"^Caldera$", r"^ClArtistic$", r"^COIL-", r"^Condor-", r"^DRL-", r"^Adobe-",
              r"^ADSL$", r"^AMDPLPA$", r"^APAFML$", r"^AMPAS$", r"^BitTorrent-",
              r"^CNRI-Jython$", r"^CPOL-", r"^FDK-AAC$", r"^FreeImage$", r"^OCCT-PL$",
              r"^Unlicense$", r"^TORQUE-", r"^TOSL$", r"^MITNFA$", r"^NBPL-", r"^NLPL$",
              r"^NOSL$", r"^OpenSSL$", r"^RSA-MD$", r"^SHL-", r"^CECILL-B$", r"^LiLiQ-P-",
              r"^SGI-B-1", r"^Zend-", r"^Libpng$"]
UNKNOWN = {"Hippocratic-2.1", "Unicode-TOU", "Aladdin", "SCEA", "FDK-AAC", "SGI-B-1.0",
           "SGI-B-1.1", "BSD-3-Clause-No-Military-License", "BSD-3-Clause-No-Nuclear-License",
           "BSD-3-Clause-No-Nuclear-License-2014", "BSD-3-Clause-No-Nuclear-Warranty",
           "JSON", "CPOL-1.02", "AMPAS", "APAFML", "ADSL", "AMDPLPA"}


def classify(lid):
    if lid in UNKNOWN:
        return "unknown"
    if lid in PUBLIC_DOMAIN:
        return "public_domain"
    if lid in PROPRIETARY:
        return "proprietary_contract"
    for cls, rules in (("non_commercial", NON_COMMERCIAL), ("no_derivatives", NO_DERIVATIVES),
                       ("strong_copyleft", STRONG), ("weak_copyleft", WEAK),
                       ("permissive", PERMISSIVE)):
        if any(re.search(r, lid) for r in rules):
            return cls
    return "unknown"


def main():
    licenses = json.load(open(sys.argv[1]))
    exceptions = json.load(open(sys.argv[2]))
    out = {
        "format": 1,
        "license_list_version": sys.argv[3],
        "source": "SPDX License List " + sys.argv[3] +
                  " (CC0-1.0), as packaged in Debian php-composer-spdx-licenses 1.5.7",
        "licenses": [{"id": lid, "name": v[0], "osi_approved": v[1], "deprecated": v[2],
                      "class": classify(lid)} for lid, v in sorted(licenses.items(),
                                                                   key=lambda kv: kv[0].lower())],
        "exceptions": sorted(exceptions.keys(), key=str.lower),
    }
    json.dump(out, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
