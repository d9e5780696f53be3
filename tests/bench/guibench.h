// The GUI scenario of mako-connect-bench: a records browser over an entity already synced into a catalog,
// driven offscreen through what an analyst does with it (open, scroll to the end, sort, filter, profile a
// column, export) while the stall probe watches the GUI thread. Prints nothing; returns the figures.
#pragma once

#include "catalog.h"

#include <QJsonObject>

QJsonObject runGuiScenario(const QString &catalogPath, const ConnectionInfo &connection,
                           const QString &entity);
