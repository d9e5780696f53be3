// The list of connectors the app knows. Built-ins are added explicitly by registerBuiltinConnectors()
// (connectors/builtin.cpp); declarative ones may be added at start-up. Filled once on the main thread before
// any job starts, then only read.
#pragma once

#include "connector.h"

#include <QHash>
#include <QList>

#include <functional>
#include <memory>

using ConnectorFactory = std::function<std::unique_ptr<BaseConnector>()>;

class ConnectorRegistry
{
public:
    static ConnectorRegistry &instance();

    // Returns false (and keeps the first) when the id is taken.
    bool add(const ConnectorMetadata &metadata, ConnectorFactory factory);
    bool contains(const QString &id) const { return m_entries.contains(id); }
    const ConnectorMetadata *metadata(const QString &id) const;
    QList<ConnectorMetadata> all() const; // sorted by name
    // A fresh instance, not yet set up; nullptr for an unknown id.
    std::unique_ptr<BaseConnector> create(const QString &id) const;
    void clear();

private:
    struct Entry
    {
        ConnectorMetadata metadata;
        ConnectorFactory factory;
    };
    QHash<QString, Entry> m_entries;
};

// Defined in connectors/builtin.cpp: registers every compiled-in connector. Safe to call more than once.
void registerBuiltinConnectors();
