#include "connectorlistmodel.h"

#include "connectorregistry.h"
#include "svgicon.h"

ConnectorListModel::ConnectorListModel(QObject *parent)
    : QAbstractListModel(parent)
{
    reload();
}

void ConnectorListModel::reload()
{
    beginResetModel();
    m_connectors = ConnectorRegistry::instance().all();
    m_icons.clear();
    for (const ConnectorMetadata &metadata : m_connectors)
        m_icons.append(Icons::connector(metadata.iconPath));
    endResetModel();
}

int ConnectorListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_connectors.size());
}

QVariant ConnectorListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ConnectorMetadata &m = m_connectors.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return m.name;
    case Qt::DecorationRole:
        return m_icons.at(index.row());
    case Qt::ToolTipRole:
        return QStringLiteral("%1 %2\n%3").arg(m.name, m.version, m.description);
    case IdRole:
        return m.id;
    case DescriptionRole:
        return m.description;
    case VersionRole:
        return m.version;
    case EntityCountRole:
        return int(m.entities.size());
    case SearchTextRole: {
        QStringList parts{m.id, m.name, m.description};
        for (const EntityInfo &entity : m.entities)
            parts << entity.name << entity.label;
        return parts.join(QLatin1Char(' '));
    }
    default:
        return {};
    }
}

const ConnectorMetadata *ConnectorListModel::metadataAt(int row) const
{
    return row >= 0 && row < m_connectors.size() ? &m_connectors.at(row) : nullptr;
}

int ConnectorListModel::rowOf(const QString &connectorId) const
{
    for (int row = 0; row < m_connectors.size(); ++row)
        if (m_connectors.at(row).id == connectorId)
            return row;
    return -1;
}
