// Ctrl+N: pick the source of a new connection from a searchable list of connectors, wherever the window is.
// GUI thread.
#pragma once

#include <QDialog>

class ConnectorListModel;
class QLineEdit;
class QListView;
class QPushButton;
class QSortFilterProxyModel;

class ConnectorPicker : public QDialog
{
    Q_OBJECT
public:
    explicit ConnectorPicker(const QString &preselected, QWidget *parent = nullptr);
    QString connectorId() const; // the one picked; "" when none is shown
    QLineEdit *searchField() const { return m_search; }
    QListView *list() const { return m_list; }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void filter(const QString &text);
    ConnectorListModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QLineEdit *m_search;
    QListView *m_list;
    QPushButton *m_add;
};
