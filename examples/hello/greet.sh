#!/bin/sh
echo "${GREETING:-hello} from $(hostname)"
