#include "connectorregistry.h"

#include <algorithm>

ConnectorRegistry &ConnectorRegistry::instance()
{
    static ConnectorRegistry registry;
    return registry;
}

bool ConnectorRegistry::add(const ConnectorMetadata &metadata, ConnectorFactory factory)
{
    if (metadata.id.isEmpty() || m_entries.contains(metadata.id) || !factory)
        return false;
    m_entries.insert(metadata.id, Entry{metadata, std::move(factory)});
    return true;
}

const ConnectorMetadata *ConnectorRegistry::metadata(const QString &id) const
{
    auto it = m_entries.constFind(id);
    return it == m_entries.constEnd() ? nullptr : &it->metadata;
}

QList<ConnectorMetadata> ConnectorRegistry::all() const
{
    QList<ConnectorMetadata> list;
    for (const Entry &entry : m_entries)
        list.append(entry.metadata);
    std::sort(list.begin(), list.end(), [](const ConnectorMetadata &a, const ConnectorMetadata &b) {
        return a.name.compare(b.name, Qt::CaseInsensitive) < 0;
    });
    return list;
}

std::unique_ptr<BaseConnector> ConnectorRegistry::create(const QString &id) const
{
    auto it = m_entries.constFind(id);
    if (it == m_entries.constEnd())
        return nullptr;
    return it->factory();
}

void ConnectorRegistry::clear()
{
    m_entries.clear();
}
