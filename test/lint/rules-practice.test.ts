// Best-practice rules with hadolint ids: triggers with exact ranges (also inside continuations and heredocs)
// and near misses, ARG/ENV- and stage-aware.
import { describe, expect, it } from 'vitest';
import type { LintOptions } from '../../lint/index.js';
import { findingsOf } from './helpers.js';

const cases: Record<string, { name: string; text: string; expected: string[]; options?: LintOptions }[]> = {
  DL3000: [
    { name: 'relative', text: 'FROM alpine\nWORKDIR app\n', expected: ['2:9-2:12 DL3000 Use absolute WORKDIR'] },
    { name: 'unresolved variable', text: 'FROM alpine\nARG DIR\nWORKDIR $DIR\n', expected: [] },
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Dockerfile variables, not a template
    { name: 'absolute from ENV', text: 'FROM alpine\nENV D=/app\nWORKDIR ${D}/x\n', expected: [] },
  ],
  DL3001: [
    {
      name: 'ps and service, not as arguments',
      text: 'FROM alpine:3\nRUN ps aux && echo kill && service nginx start\n',
      expected: [
        '2:5-2:7 DL3001 For some bash commands it makes no sense running them in a Docker container like `ssh`, `vim`, `shutdown`, `service`, `ps`, `free`, `top`, `kill`, `mount`, `ifconfig`',
        '2:28-2:35 DL3001 For some bash commands it makes no sense running them in a Docker container like `ssh`, `vim`, `shutdown`, `service`, `ps`, `free`, `top`, `kill`, `mount`, `ifconfig`',
      ],
    },
    { name: 'other commands', text: 'FROM alpine:3\nRUN pkill -f x; killall y; apk add procps\n', expected: [] },
  ],
  DL3002: [
    {
      name: 'last USER root',
      text: 'FROM alpine\nUSER app\nUSER root\n',
      expected: ['3:6-3:10 DL3002 Last USER should not be root'],
    },
    {
      name: 'root in an earlier stage only',
      text: 'FROM alpine AS a\nUSER root\nFROM alpine\nUSER app\n',
      expected: [],
    },
  ],
  DL3003: [
    {
      name: 'cd after && and in an if',
      text: 'FROM alpine\nRUN mkdir /x && cd /x\nRUN if [ -d /y ]; then cd /y; fi\n',
      expected: [
        '2:17-2:19 DL3003 Use WORKDIR to switch to a directory.',
        '3:24-3:26 DL3003 Use WORKDIR to switch to a directory.',
      ],
    },
    { name: 'WORKDIR, and cd as an argument', text: 'FROM alpine\nWORKDIR /x\nRUN echo cd && ls cd\n', expected: [] },
  ],
  DL3004: [
    {
      name: 'sudo after && on a continuation line',
      text: 'FROM alpine\nRUN apk add curl && \\\n    sudo ls\n',
      expected: [
        '3:5-3:9 DL3004 Do not use sudo as it leads to unpredictable behavior. Use a tool like gosu to enforce root',
      ],
    },
    {
      name: 'sudo in a heredoc',
      text: 'FROM alpine\nRUN <<EOF\nset -e\nsudo ls\nEOF\n',
      expected: [
        '4:1-4:5 DL3004 Do not use sudo as it leads to unpredictable behavior. Use a tool like gosu to enforce root',
      ],
    },
    { name: 'sudo as an argument', text: 'FROM alpine\nRUN apk add sudo && echo "sudo ls"\n', expected: [] },
  ],
  DL3006: [
    {
      name: 'untagged',
      text: 'FROM debian\n',
      expected: ['1:6-1:12 DL3006 Always tag the version of an image explicitly'],
    },
    { name: 'tag from a global ARG', text: 'ARG V=12\nFROM debian:$V\n', expected: [] },
    { name: 'stage and scratch', text: 'FROM debian:12 AS base\nFROM base\nFROM scratch\n', expected: [] },
  ],
  DL3007: [
    {
      name: 'latest',
      text: 'FROM debian:latest\n',
      expected: [
        '1:13-1:19 DL3007 Using latest is prone to errors if the image will ever update. Pin the version explicitly to a release tag',
      ],
    },
    { name: 'pinned', text: 'FROM debian:12\n', expected: [] },
  ],
  DL3008: [
    {
      name: 'unpinned packages: one finding per RUN, at the first',
      text: 'FROM debian:12\nRUN apt-get install -y --no-install-recommends curl=8.0 wget \\\n  git\n',
      expected: [
        '2:57-2:61 DL3008 Pin versions in apt get install. Instead of `apt-get install <package>` use `apt-get install <package>=<version>`',
      ],
    },
    {
      name: 'pinned, a release, a .deb file, the value of -t',
      text: 'FROM debian:12\nRUN apt-get install -y -t bookworm-backports a=1 b/bookworm-backports ./c.deb\n',
      expected: [],
    },
    { name: 'other subcommands', text: 'FROM debian:12\nRUN apt-get update && apt-get remove x\n', expected: [] },
  ],
  DL3009: [
    {
      name: 'lists not removed',
      text: 'FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n',
      expected: ['2:23-2:30 DL3009 Delete the apt-get lists after installing something'],
    },
    {
      name: 'removed',
      text: 'FROM debian:12\nRUN apt-get update && apt-get install -y curl \\\n && rm -rf /var/lib/apt/lists/*\n',
      expected: [],
    },
    {
      name: 'intermediate stage',
      text: 'FROM debian:12 AS build\nRUN apt-get update && apt-get install -y gcc\nFROM debian:12\nCOPY --from=build /a /a\n',
      expected: [],
    },
  ],
  DL3010: [
    {
      name: 'COPY of an archive that a later RUN extracts',
      text: 'FROM alpine:3\nCOPY app.tar.gz c.txt /tmp/\nRUN tar -xzf /tmp/app.tar.gz -C /opt\n',
      expected: ['2:6-2:16 DL3010 Use `ADD` for extracting archives into an image.'],
    },
    {
      name: 'an archive as the destination, tar --extract',
      text: 'FROM alpine:3\nCOPY src /tmp/app.tar\nRUN cd /tmp && tar --extract -f app.tar\n',
      expected: ['2:10-2:22 DL3010 Use `ADD` for extracting archives into an image.'],
    },
    {
      name: 'not extracted, extracted in another stage, COPY --from, tar -c',
      text:
        'FROM alpine:3\nCOPY a.tgz /\nRUN tar -cf b.tar a.tgz\nCOPY --from=x c.tgz /\nRUN tar -xf c.tgz\n' +
        'FROM alpine:3\nRUN tar -xf a.tgz\n',
      expected: [],
    },
  ],
  DL3013: [
    {
      name: 'unpinned packages, the value of --target skipped',
      text: 'FROM python:3\nRUN pip install --no-cache-dir --target /opt a b==1 && python3 -m pip install --no-cache-dir c\n',
      expected: [
        '2:46-2:47 DL3013 Pin versions in pip. Instead of `pip install <package>` use `pip install <package>==<version>` or `pip install --requirement <requirements file>`',
      ],
    },
    {
      name: 'version ranges, requirements, constraints, the project, git tags, wheels',
      text:
        "FROM python:3\nRUN pip install 'a>=1' 'b~=2' c!=3 && pip install -r req.txt && pip install -c cons.txt d \\\n" +
        ' && pip install . && pip install git+https://x/y.git@v1 ./e.whl ./f.tar.gz\n',
      expected: [],
    },
  ],
  DL3016: [
    {
      name: 'unpinned packages, scoped or not',
      text: 'FROM node:20\nRUN npm install -g typescript @scope/tool @scope/other@1.0.0\n',
      expected: [
        '2:20-2:30 DL3016 Pin versions in npm. Instead of `npm install <package>` use `npm install <package>@<version>`',
      ],
    },
    {
      name: 'package.json, versions, folders, tarballs, git commits, npm run install',
      text: 'FROM node:20\nRUN npm install && npm install a@1 ./dir b.tgz git+https://x/y.git#abc && npm run install\n',
      expected: [],
    },
  ],
  DL3014: [
    {
      name: 'install without -y, or with a single -q',
      text: 'FROM debian:12\nRUN apt-get install curl=1 && apt-get -q install wget=1\n',
      expected: [
        '2:5-2:12 DL3014 Use the `-y` switch to avoid manual input `apt-get -y install <package>`',
        '2:31-2:38 DL3014 Use the `-y` switch to avoid manual input `apt-get -y install <package>`',
      ],
    },
    {
      name: '-y, --yes, --assume-yes, -qq, -q -q',
      text: 'FROM debian:12\nRUN apt-get -yq install a && apt-get install --yes b && apt-get --assume-yes install c \\\n && apt-get -qq install d && apt-get -q -q install e && apt-get update\n',
      expected: [],
    },
  ],
  DL3015: [
    {
      name: 'without --no-install-recommends',
      text: 'FROM debian:12\nRUN apt-get install -y curl\n',
      expected: ['2:5-2:12 DL3015 Avoid additional packages by specifying `--no-install-recommends`'],
    },
    { name: 'with it', text: 'FROM debian:12\nRUN apt-get install -y --no-install-recommends curl\n', expected: [] },
  ],
  DL3018: [
    {
      name: 'unpinned package',
      text: 'FROM alpine:3\nRUN apk add --no-cache curl=8.5.0-r0 bash\n',
      expected: [
        '2:38-2:42 DL3018 Pin versions in apk add. Instead of `apk add <package>` use `apk add <package>=<version>`',
      ],
    },
    {
      name: 'pinned with = and ~, a local .apk, values of --virtual and -X',
      text: 'FROM alpine:3\nRUN apk add --no-cache --virtual .deps -X https://x/main a=1 b~2 ./c.apk && apk update\n',
      expected: [],
    },
  ],
  DL3019: [
    {
      name: 'apk add without --no-cache',
      text: 'FROM alpine:3\nRUN apk update && apk add --update curl=8\n',
      expected: [
        '2:19-2:22 DL3019 Use the `--no-cache` switch to avoid the need to use `--update` and remove `/var/cache/apk/*` when done installing packages',
      ],
    },
    { name: '--no-cache', text: 'FROM alpine:3\nRUN apk add --no-cache curl=8\n', expected: [] },
    {
      name: 'cache mount on /var/cache/apk',
      text: 'FROM alpine:3\nRUN --mount=type=cache,target=/var/cache/apk apk add curl=8\n',
      expected: [],
    },
  ],
  DL3020: [
    {
      name: 'local file',
      text: 'FROM alpine\nADD app.py /app/\n',
      expected: ['2:5-2:11 DL3020 Use COPY instead of ADD for files and folders'],
    },
    { name: 'URL and archive', text: 'FROM alpine\nADD https://x.org/a.txt /\nADD rootfs.tar.gz /\n', expected: [] },
  ],
  DL3022: [
    {
      name: 'unknown name, later stage, index out of range',
      text: 'FROM alpine:3\nCOPY --from=build /a /a\nCOPY --from=2 /b /b\nFROM alpine:3 AS build\n',
      expected: [
        '2:6-2:18 DL3022 `COPY --from` should reference a previously defined `FROM` alias',
        '3:6-3:14 DL3022 `COPY --from` should reference a previously defined `FROM` alias',
      ],
    },
    {
      name: 'earlier stage by name or index, image reference',
      text: 'FROM alpine:3 AS Build\nFROM alpine:3\nCOPY --from=build /a /a\nCOPY --from=0 /b /b\nCOPY --from=nginx:1 /c /c\n',
      expected: [],
    },
  ],
  DL3025: [
    {
      name: 'shell form',
      text: 'FROM alpine\nCMD run it\n',
      expected: ['2:5-2:11 DL3025 Use arguments JSON notation for CMD and ENTRYPOINT arguments'],
    },
    { name: 'exec form', text: 'FROM alpine\nCMD ["run"]\n', expected: [] },
  ],
  DL3026: [
    {
      name: 'untrusted registry',
      text: 'FROM quay.io/x/y:1\nFROM docker.io/library/alpine:3\nFROM alpine:3\n',
      options: { trustedRegistries: ['docker.io'] },
      expected: ['1:6-1:19 DL3026 Use only an allowed registry in the FROM image'],
    },
    { name: 'no list configured', text: 'FROM quay.io/x/y:1\n', expected: [] },
  ],
  DL3027: [
    {
      name: 'apt',
      text: 'FROM debian:12\nRUN apt update && sudo apt install -y curl\n',
      expected: [
        '2:5-2:8 DL3027 Do not use apt as it is meant to be an end-user tool, use apt-get or apt-cache instead',
      ],
    },
    {
      name: 'apt-get and apt-cache',
      text: 'FROM debian:12\nRUN apt-get update && apt-cache policy apt\n',
      expected: [],
    },
  ],
  DL3028: [
    {
      name: 'unpinned gems',
      text: 'FROM ruby:3\nRUN gem install rails bundler:2.5.0 && gem i rake\n',
      expected: [
        '2:17-2:22 DL3028 Pin versions in gem install. Instead of `gem install <gem>` use `gem install <gem>:<version>`',
      ],
    },
    {
      name: 'pinned with :, -v and --version=',
      text: 'FROM ruby:3\nRUN gem install a:1 && gem install b -v 2 && gem install c --version=3\n',
      expected: [],
    },
  ],
  DL3029: [
    {
      name: 'a constant and another variable',
      text: 'FROM --platform=linux/amd64 alpine:3\nARG P=linux/arm64\nFROM --platform=$P alpine:3\n',
      expected: [
        '1:6-1:28 DL3029 Do not use --platform flag with FROM',
        '3:6-3:19 DL3029 Do not use --platform flag with FROM',
      ],
    },
    {
      name: 'the build or target platform (cross-compiling), no flag',
      text: 'FROM --platform=$BUILDPLATFORM alpine:3\nFROM --platform=$TARGETPLATFORM alpine:3\nFROM alpine:3\n',
      expected: [],
    },
  ],
  DL3030: [
    {
      name: 'yum install without -y',
      text: 'FROM centos:7\nRUN yum install httpd && yum clean all\n',
      expected: ['2:5-2:8 DL3030 Use the -y switch to avoid manual input `yum install -y <package`'],
    },
    {
      name: '-y, --assumeyes, other subcommands',
      text: 'FROM centos:7\nRUN yum -y install a && yum groupinstall --assumeyes b && yum update && yum clean all\n',
      expected: [],
    },
  ],
  DL3032: [
    {
      name: 'install without clean',
      text: 'FROM centos:7\nRUN yum install -y httpd\n',
      expected: ['2:5-2:8 DL3032 `yum clean all` missing after yum command.'],
    },
    {
      name: 'yum clean all, rm of the cache, a cache mount',
      text:
        'FROM centos:7\nRUN yum install -y a && yum clean all\nRUN yum install -y b && rm -rf /var/cache/yum/*\n' +
        'RUN --mount=type=cache,target=/var/cache/yum yum install -y c\n',
      expected: [],
    },
  ],
  DL3033: [
    {
      name: 'an unpinned package and an unpinned module: one finding per RUN',
      text: 'FROM centos:7\nRUN yum install -y httpd-2.4 tomcat && yum module install -y nodejs && yum clean all\n',
      expected: ['2:30-2:36 DL3033 Specify version with `yum install -y <package>-<version>`.'],
    },
    {
      name: 'name-version, a local rpm, module:stream',
      text: 'FROM centos:7\nRUN yum install -y httpd-2.4 ./x.rpm && yum module install -y nodejs:14 && yum clean all\n',
      expected: [],
    },
  ],
  DL3034: [
    {
      name: 'install and rm without -y',
      text: 'FROM opensuse/leap:15\nRUN zypper install a=1 && zypper rm b && zypper clean\n',
      expected: [
        '2:5-2:11 DL3034 Non-interactive switch missing from `zypper` command: `zypper install -y`',
        '2:27-2:33 DL3034 Non-interactive switch missing from `zypper` command: `zypper install -y`',
      ],
    },
    {
      name: '-y, --no-confirm, other subcommands',
      text: 'FROM opensuse/leap:15\nRUN zypper in -y a=1 && zypper --no-confirm si b && zypper refresh && zypper clean\n',
      expected: [],
    },
  ],
  DL3035: [
    {
      name: 'dist-upgrade and dup',
      text: 'FROM opensuse/leap:15\nRUN zypper dup -y && zypper dist-upgrade -y\n',
      expected: [
        '2:12-2:15 DL3035 Do not use `zypper dist-upgrade`.',
        '2:29-2:41 DL3035 Do not use `zypper dist-upgrade`.',
      ],
    },
    { name: 'update', text: 'FROM opensuse/leap:15\nRUN zypper update -y\n', expected: [] },
  ],
  DL3036: [
    {
      name: 'no clean, a clean before the install',
      text: 'FROM opensuse/leap:15\nRUN zypper in -y a=1\nRUN zypper cc && zypper install -y b=1\n',
      expected: [
        '2:5-2:11 DL3036 `zypper clean` missing after zypper use.',
        '3:18-3:24 DL3036 `zypper clean` missing after zypper use.',
      ],
    },
    {
      name: 'clean after the install, a cache mount',
      text:
        'FROM opensuse/leap:15\nRUN zypper in -y a=1 && zypper clean -a\n' +
        'RUN --mount=type=cache,target=/var/cache/zypp zypper in -y b=1\n',
      expected: [],
    },
  ],
  DL3037: [
    {
      name: 'an unpinned package: one finding per RUN',
      text: 'FROM opensuse/leap:15\nRUN zypper install -y a=1 b c && zypper clean\n',
      expected: ['2:27-2:28 DL3037 Specify version with `zypper install -y <package>=<version>`.'],
    },
    {
      name: '=, >=, <, a local rpm',
      text: 'FROM opensuse/leap:15\nRUN zypper in -y a=1 "b>=2" "c<3" ./d.rpm && zypper clean\n',
      expected: [],
    },
  ],
  DL3038: [
    {
      name: 'dnf and microdnf install without -y',
      text: 'FROM fedora:40\nRUN dnf install a-1 && microdnf install b-1 && dnf clean all && microdnf clean all\n',
      expected: [
        '2:5-2:8 DL3038 Use the -y switch to avoid manual input `dnf install -y <package>`.',
        '2:24-2:32 DL3038 Use the -y switch to avoid manual input `dnf install -y <package>`.',
      ],
    },
    {
      name: '-y, --assumeyes, other subcommands',
      text: 'FROM fedora:40\nRUN dnf -y install a-1 && dnf groupinstall --assumeyes g && dnf upgrade && dnf clean all\n',
      expected: [],
    },
  ],
  DL3040: [
    {
      name: 'no clean, and microdnf clean after dnf install',
      text: 'FROM fedora:40\nRUN microdnf install -y a-1\nRUN dnf install -y b-1 && microdnf clean all\n',
      expected: [
        '2:5-2:13 DL3040 `dnf clean all` missing after dnf command.',
        '3:5-3:8 DL3040 `dnf clean all` missing after dnf command.',
      ],
    },
    {
      name: 'dnf clean all, rm of the cache, a cache mount',
      text:
        'FROM fedora:40\nRUN dnf install -y a-1 && dnf clean all\nRUN microdnf install -y b-1 && rm -rf /var/cache/yum/*\n' +
        'RUN --mount=type=cache,target=/var/cache/dnf dnf install -y c-1\n',
      expected: [],
    },
  ],
  DL3041: [
    {
      name: 'a name with a dash but no version, an unpinned module',
      text: 'FROM fedora:40\nRUN dnf install -y python3-devel && dnf clean all\nRUN microdnf module install -y nodejs\n',
      expected: [
        '2:20-2:33 DL3041 Specify version with `dnf install -y <package>-<version>`.',
        '3:32-3:38 DL3041 Specify version with `dnf install -y <package>-<version>`.',
      ],
    },
    {
      name: 'name-version, a local rpm, a variable version, module:stream, a group',
      text:
        'FROM fedora:40\nRUN dnf install -y tomcat-9.0.1 ./x-1.rpm "sh-$V" && dnf module install -y nodejs:18 && ' +
        'dnf group install -y dev && dnf clean all\n',
      expected: [],
    },
  ],
  DL3042: [
    {
      name: 'pip and python -m pip without --no-cache-dir',
      text: 'FROM python:3\nRUN pip install a==1 && python3 -m pip install b==1 && pip3 install --no-cache-dir c==1\n',
      expected: [
        '2:5-2:8 DL3042 Avoid use of cache directory with pip. Use `pip install --no-cache-dir <package>`',
        '2:25-2:32 DL3042 Avoid use of cache directory with pip. Use `pip install --no-cache-dir <package>`',
      ],
    },
    {
      name: 'a falsy PIP_NO_CACHE_DIR',
      text: 'FROM python:3\nENV PIP_NO_CACHE_DIR=off\nRUN PIP_NO_CACHE_DIR=0 pip install a==1\n',
      expected: ['3:24-3:27 DL3042 Avoid use of cache directory with pip. Use `pip install --no-cache-dir <package>`'],
    },
    {
      name: 'PIP_NO_CACHE_DIR from a parent stage, export, cache mount, pipx and pipenv',
      text:
        'FROM python:3 AS base\nENV PIP_NO_CACHE_DIR=1\nFROM base\nRUN pip install a==1\nFROM python:3\n' +
        'RUN export PIP_NO_CACHE_DIR=yes && pip install b==1\n' +
        'RUN --mount=type=cache,target=/root/.cache/pip pip install c==1\n' +
        'RUN pipx install d && python -m pipenv install\n',
      expected: [],
    },
  ],
  DL3045: [
    {
      name: 'relative destination without WORKDIR',
      text: 'FROM alpine:3\nCOPY a.txt app/\n',
      expected: ['2:12-2:16 DL3045 `COPY` to a relative destination without `WORKDIR` set.'],
    },
    {
      name: 'absolute, Windows, variable, WORKDIR in a parent stage',
      text: 'FROM alpine:3 AS base\nCOPY a /app/\nCOPY b "C:\\\\app"\nCOPY c $HOME/\nWORKDIR /app\nFROM base\nCOPY d .\n',
      expected: [],
    },
  ],
  DL3046: [
    {
      name: 'high UID without -l',
      text: 'FROM debian:12\nRUN useradd -u 1000000 app\n',
      expected: ['2:5-2:12 DL3046 `useradd` without flag `-l` and high UID will result in excessively large Image.'],
    },
    {
      name: 'with -l or --no-log-init, a low UID',
      text: 'FROM debian:12\nRUN useradd -l -u 1000000 a && useradd --no-log-init -u 1000000 b && useradd -u 10001 c\n',
      expected: [],
    },
  ],
  DL3047: [
    {
      name: 'wget without a progress option',
      text: 'FROM debian:12\nRUN wget -O /tmp/x https://x/y\n',
      expected: [
        '2:5-2:9 DL3047 Avoid use of wget without progress bar. Use `wget --progress=dot:giga <url>`. Or consider using `-q` or `-nv` (shorthands for `--quiet` or `--no-verbose`).',
      ],
    },
    {
      name: '--progress, -q, -nv, --no-verbose, -o log',
      text: 'FROM debian:12\nRUN wget --progress=dot:giga a && wget -qO- b && wget -nv c && wget --no-verbose d && wget -o log e\n',
      expected: [],
    },
  ],
  DL3048: [
    {
      name: 'upper case, a reserved namespace, two dots, a leading digit',
      text: 'FROM alpine:3\nLABEL Foo=1 "com.docker.x"=2 a..b=3 1a=4\n',
      expected: [
        '2:7-2:10 DL3048 Invalid label key.',
        '2:13-2:27 DL3048 Invalid label key.',
        '2:30-2:34 DL3048 Invalid label key.',
        '2:37-2:39 DL3048 Invalid label key.',
      ],
    },
    {
      name: 'reverse-DNS keys',
      text: 'FROM alpine:3\nLABEL org.opencontainers.image.title=x a=1 com.example.my-app=2\n',
      expected: [],
    },
  ],
  DL3057: [
    {
      name: 'enabled: a stage without HEALTHCHECK',
      text: 'FROM alpine:3 AS base\nHEALTHCHECK NONE\nFROM base\nFROM alpine:3\n',
      expected: ['4:1-4:5 DL3057 `HEALTHCHECK` instruction missing.'],
      options: { rules: { DL3057: 'on' } },
    },
    { name: 'off by default', text: 'FROM alpine:3\nCMD ["x"]\n', expected: [] },
  ],
  DL3059: [
    {
      name: 'consecutive RUNs, a comment between',
      text: 'FROM alpine:3\nRUN a\n# b\nRUN b && c\nRUN d\n',
      expected: [
        '4:1-4:4 DL3059 Multiple consecutive `RUN` instructions. Consider consolidation.',
        '5:1-5:4 DL3059 Multiple consecutive `RUN` instructions. Consider consolidation.',
      ],
    },
    {
      name: 'other flags, more than two commands, another instruction between',
      text: 'FROM alpine:3\nRUN a\nRUN --mount=type=cache,target=/c b\nRUN c && d && e\nRUN f\nENV X=1\nRUN g\n',
      expected: [],
    },
  ],
  DL3060: [
    {
      name: 'yarn install in the last stage without cache clean',
      text: 'FROM node:20\nRUN yarn install --frozen-lockfile\n',
      expected: ['2:5-2:9 DL3060 `yarn cache clean` missing after `yarn install` was run.'],
    },
    {
      name: 'cleaned, a cache mount, a build stage that is only copied from',
      text:
        'FROM node:20 AS build\nRUN yarn install\nFROM node:20\nCOPY --from=build /app /app\n' +
        'RUN yarn install && yarn cache clean\nRUN --mount=type=cache,target=/usr/local/share/.cache/yarn yarn install\n',
      expected: [],
    },
  ],
  DL3062: [
    {
      name: 'go install without a version, go get @latest, go run of a module: one finding per RUN',
      text: 'FROM golang:1\nRUN go install example.com/a@v1 && go get b@latest\nRUN go run example.com/c arg\n',
      expected: [
        '2:43-2:51 DL3062 Pin versions in go. Instead of `go install <package>` use `go install <package>@<version>`',
        '3:12-3:25 DL3062 Pin versions in go. Instead of `go install <package>` use `go install <package>@<version>`',
      ],
    },
    {
      name: 'pinned, local packages, go run arguments, go build',
      text: 'FROM golang:1\nRUN go install a@v1.2.3 ./cmd/... . && go run main.go x y && go run ./c z && go build ./...\n',
      expected: [],
    },
  ],
  DL4000: [
    {
      name: 'MAINTAINER',
      text: 'FROM alpine\nMAINTAINER me\n',
      expected: ['2:1-2:11 DL4000 MAINTAINER is deprecated'],
    },
  ],
  DL4001: [
    {
      name: 'wget, then curl in the same stage',
      text: 'FROM alpine:3\nRUN wget -q https://x/a\nENV X=1\nRUN echo && curl -fsS https://x/b\n',
      expected: ['4:13-4:17 DL4001 Either use Wget or Curl but not both'],
    },
    {
      name: 'one tool per stage',
      text: 'FROM alpine:3 AS a\nRUN wget -q https://x/a\nFROM a\nRUN curl -fsS https://x/b\n',
      expected: [],
    },
  ],
  DL4003: [
    {
      name: 'second CMD',
      text: 'FROM alpine\nCMD ["a"]\nCMD ["b"]\n',
      expected: [
        '3:1-3:4 DL4003 Multiple `CMD` instructions found. If you list more than one `CMD` then only the last `CMD` will take effect',
      ],
    },
    { name: 'one per stage', text: 'FROM alpine AS a\nCMD ["a"]\nFROM a\nCMD ["b"]\n', expected: [] },
  ],
  DL4005: [
    {
      name: 'ln over /bin/sh',
      text: 'FROM debian:12\nRUN ln -sf /bin/bash /bin/sh\n',
      expected: ['2:5-2:7 DL4005 Use SHELL to change the default shell'],
    },
    { name: 'other links', text: 'FROM debian:12\nRUN ln -s /bin/sh /usr/local/bin/sh2 && ls /bin/sh\n', expected: [] },
  ],
  DL4006: [
    {
      name: 'pipe without pipefail',
      text: 'FROM alpine\nRUN wget -O - https://x | tar xz\n',
      expected: [
        '2:25-2:26 DL4006 Set the SHELL option -o pipefail before RUN with a pipe in it. If you are using /bin/sh in an alpine image or if your shell is symlinked to busybox then consider explicitly setting your SHELL to /bin/ash, or disable this check',
      ],
    },
    {
      name: 'SHELL with pipefail',
      text: 'FROM alpine\nSHELL ["/bin/ash", "-eo", "pipefail", "-c"]\nRUN a | b\n',
      expected: [],
    },
    { name: 'set -o pipefail in the RUN', text: 'FROM alpine\nRUN set -eux -o pipefail; a | b\n', expected: [] },
    { name: 'logical or and quoted pipe', text: 'FROM alpine\nRUN a || b; echo "x|y"\n', expected: [] },
  ],
};

describe('best-practice rules', () => {
  for (const [rule, list] of Object.entries(cases)) {
    describe(rule, () => {
      for (const c of list) {
        it(c.name, () => {
          expect(findingsOf(rule, c.text, c.options)).toEqual(c.expected);
        });
      }
    });
  }
});
