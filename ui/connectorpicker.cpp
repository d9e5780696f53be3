#include "connectorpicker.h"

#include "connectorlistmodel.h"

#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QVBoxLayout>

ConnectorPicker::ConnectorPicker(const QString &preselected, QWidget *parent)
    : QDialog(parent)
    , m_model(new ConnectorListModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
{
    setObjectName(QStringLiteral("connectorPicker"));
    setWindowTitle(tr("New connection"));
    m_proxy->setSourceModel(m_model);
    m_proxy->setFilterRole(ConnectorListModel::SearchTextRole);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("Which source does the new connection read from?"), this));
    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("pickerSearch"));
    m_search->setPlaceholderText(tr("Search connectors (name, entity, description)"));
    m_search->setClearButtonEnabled(true);
    layout->addWidget(m_search);
    m_list = new QListView(this);
    m_list->setObjectName(QStringLiteral("pickerList"));
    m_list->setModel(m_proxy);
    m_list->setIconSize(QSize(24, 24));
    m_list->setUniformItemSizes(true);
    layout->addWidget(m_list, 1);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_add = buttons->addButton(tr("Add connection…"), QDialogButtonBox::AcceptRole);
    m_add->setObjectName(QStringLiteral("pickerAddButton"));
    m_add->setDefault(true);
    layout->addWidget(buttons);
    resize(420, 460);

    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_search, &QLineEdit::textChanged, this, &ConnectorPicker::filter);
    connect(m_list, &QListView::activated, this, &QDialog::accept);
    // Typing goes to the search box; Up and Down still move through the list, Esc clears it.
    m_search->installEventFilter(this);
    const int row = m_model->rowOf(preselected);
    m_list->setCurrentIndex(m_proxy->index(0, 0));
    if (row >= 0)
        m_list->setCurrentIndex(m_proxy->mapFromSource(m_model->index(row, 0)));
    m_search->setFocus();
}

void ConnectorPicker::filter(const QString &text)
{
    m_proxy->setFilterFixedString(text.trimmed());
    if (!m_list->currentIndex().isValid() && m_proxy->rowCount() > 0)
        m_list->setCurrentIndex(m_proxy->index(0, 0));
    m_add->setEnabled(m_proxy->rowCount() > 0);
}

bool ConnectorPicker::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_search && event->type() == QEvent::KeyPress) {
        const int key = static_cast<QKeyEvent *>(event)->key();
        // Esc clears a search first; with nothing typed it closes the picker, as in any dialog.
        if (key == Qt::Key_Escape && !m_search->text().isEmpty()) {
            m_search->clear();
            return true;
        }
        if (key == Qt::Key_Up || key == Qt::Key_Down || key == Qt::Key_PageUp || key == Qt::Key_PageDown) {
            QCoreApplication::sendEvent(m_list, event);
            return true;
        }
    }
    return QDialog::eventFilter(watched, event);
}

QString ConnectorPicker::connectorId() const
{
    const QModelIndex current = m_list->currentIndex();
    return current.isValid() ? current.data(ConnectorListModel::IdRole).toString() : QString();
}
