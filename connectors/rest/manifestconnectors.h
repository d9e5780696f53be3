// Declarative REST manifests registered as connectors of their own at start-up. Called from
// registerBuiltinConnectors() (connectors/builtin.cpp), so the CLI, the GUI and the tests all get them.
// Main thread only, before any job starts (the registry is read-only afterwards).
#pragma once

#include <QStringList>

// Scans, in this order (the first manifest with an id wins):
//   1. the folders in MAKO_CONNECT_MANIFESTS (separated by ':'),
//   2. the user's connectors folder: <GenericDataLocation>/mako-connect/connectors (beside the default
//      catalog, shared by the CLI and the GUI) and <AppDataLocation>/connectors,
//   3. the manifests compiled in from resources/manifests (":/manifests").
// Every *.json file is read; a bad one is skipped and reported as "<file>: <field>: <reason>" in `errors`,
// with qWarning(), and in manifestErrors(). Calling it again registers only what is new. Returns how many
// connectors it added.
int registerManifestConnectors(QStringList *errors = nullptr);

// The problems the last registerManifestConnectors() found (for the GUI and the CLI to show).
QStringList manifestErrors();

// The folders registerManifestConnectors() reads, in order.
QStringList manifestSearchPaths();
