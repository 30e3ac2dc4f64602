/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

/* umbrella header for front-ends, the simulator and tests */
#include "ub-device-db.h"
#include "ub-device.h"
#include "ub-error.h"
#include "ub-partition.h"
#include "ub-progress.h"
#include "ub-transport.h"
#include "ub-checksum-output-stream.h"
#include "ub-compare-output-stream.h"
#include "ub-estimator.h"
#include "ub-job.h"
#include "ub-plan-executor.h"
#include "ub-plan.h"
#include "ub-device-spec.h"
#include "ub-memory-transport.h"
#include "ub-device-monitor.h"
#include "ub-usb-device-info.h"
#include "ub-serial-transport.h"
#include "ub-tcp-transport.h"
#include "ub-usb-context.h"
#include "ub-usb-transport.h"
