// The registered connectors as a list model (tiles or rows), with a role that carries searchable text.
// Built once from ConnectorRegistry on the GUI thread; the registry does not change while the app runs.
#pragma once

#include "connector.h"

#include <QAbstractListModel>
#include <QIcon>
#include <QList>

class ConnectorListModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Role {
        IdRole = Qt::UserRole + 1,
        DescriptionRole,
        VersionRole,
        EntityCountRole,
        SearchTextRole,
    };

    explicit ConnectorListModel(QObject *parent = nullptr);
    void reload();

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;

    const ConnectorMetadata *metadataAt(int row) const;
    int rowOf(const QString &connectorId) const;

private:
    QList<ConnectorMetadata> m_connectors;
    QList<QIcon> m_icons;
};
