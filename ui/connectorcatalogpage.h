// The "Connectors" page: every registered connector as icon tiles or a list, a search box, and the selected
// connector's description, entities (with their incremental mode) and capabilities. GUI thread.
#pragma once

#include <QWidget>

class ConnectorListModel;
class QFrame;
class QLabel;
class QLineEdit;
class QListView;
class QPushButton;
class QSortFilterProxyModel;
class QToolButton;
class QTreeWidget;
class IconWidget;

class ConnectorCatalogPage : public QWidget
{
    Q_OBJECT
public:
    explicit ConnectorCatalogPage(QWidget *parent = nullptr);

    ConnectorListModel *model() const { return m_model; }
    QSortFilterProxyModel *proxy() const { return m_proxy; }
    QListView *view() const { return m_view; }
    QString currentConnectorId() const;
    void selectConnector(const QString &id);
    void setTileMode(bool tiles);
    bool isTileMode() const;
    void focusSearch();
    // Problems found while loading connector manifests ("file: field: reason"), shown in a dismissible
    // banner above the catalog. An empty list hides it.
    void setManifestProblems(const QStringList &problems);
    QStringList manifestProblems() const { return m_manifestProblems; }

signals:
    void addConnectionRequested(const QString &connectorId);
    void currentConnectorChanged(const QString &connectorId);

private:
    void showDetails();

    ConnectorListModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QLineEdit *m_search;
    QListView *m_view;
    QToolButton *m_tilesButton;
    QToolButton *m_listButton;
    QLabel *m_countLabel;
    QWidget *m_details;
    IconWidget *m_detailIcon;
    QLabel *m_detailTitle;
    QLabel *m_detailMeta;
    QLabel *m_detailDescription;
    QLabel *m_detailCapabilities;
    QLabel *m_entitiesHeading;
    QTreeWidget *m_entities;
    QLabel *m_entitiesNote;
    QFrame *m_problemBanner;
    QLabel *m_problemText;
    QStringList m_manifestProblems;
    QLabel *m_detailConfig;
    QPushButton *m_addButton;
    QLabel *m_emptyDetails;
};
