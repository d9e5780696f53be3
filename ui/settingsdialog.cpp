#include "settingsdialog.h"

#include "catalog.h"
#include "secretstore.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

SettingsDialog::SettingsDialog(const QString &currentCatalog, const QString &currentBackend, QWidget *parent)
    : QDialog(parent)
    , m_currentCatalog(currentCatalog)
    , m_currentBackend(currentBackend)
{
    setObjectName(QStringLiteral("settingsDialog"));
    setWindowTitle(tr("Settings"));
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);

    auto *catalogRow = new QHBoxLayout;
    m_catalog = new QLineEdit(this);
    m_catalog->setObjectName(QStringLiteral("catalogLocation"));
    m_catalog->setText(QSettings().value(catalogSettingKey(), currentCatalog).toString());
    m_catalog->setMinimumWidth(380);
    auto *browse = new QPushButton(tr("Browse…"), this);
    auto *useDefault = new QPushButton(tr("Default"), this);
    useDefault->setToolTip(Catalog::defaultLocation());
    catalogRow->addWidget(m_catalog, 1);
    catalogRow->addWidget(browse);
    catalogRow->addWidget(useDefault);
    form->addRow(tr("Catalog file:"), catalogRow);
    auto *catalogHelp =
        new QLabel(tr("The SQLite file that holds connections, synced records and run history. "
                      "--catalog and MAKO_CONNECT_CATALOG override it."),
                   this);
    catalogHelp->setWordWrap(true);
    form->addRow(QString(), catalogHelp);

    m_backend = new QComboBox(this);
    m_backend->setObjectName(QStringLiteral("secretBackend"));
    m_backend->addItem(tr("File beside the catalog (readable only by you)"), QStringLiteral("file"));
    m_backend->addItem(tr("System keychain"), QStringLiteral("keychain"));
    const QString backend = QSettings().value(backendSettingKey(), currentBackend).toString();
    m_backend->setCurrentIndex(qMax(0, m_backend->findData(backend)));
    form->addRow(tr("Secret store:"), m_backend);
    m_backendNote = new QLabel(this);
    m_backendNote->setWordWrap(true);
    form->addRow(QString(), m_backendNote);
    layout->addLayout(form);

    m_note = new QLabel(tr("In use now: %1 (secrets: %2). Changes apply when Mako Connect restarts.")
                            .arg(QDir::toNativeSeparators(currentCatalog), currentBackend),
                        this);
    m_note->setWordWrap(true);
    layout->addWidget(m_note);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    QPushButton *restart = buttons->addButton(tr("Save and restart"), QDialogButtonBox::AcceptRole);
    restart->setObjectName(QStringLiteral("restartButton"));
    layout->addWidget(buttons);

    connect(browse, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Catalog file"), m_catalog->text(),
                                                          tr("SQLite catalog (*.sqlite *.db)"), nullptr,
                                                          QFileDialog::DontConfirmOverwrite);
        if (!path.isEmpty())
            m_catalog->setText(path);
    });
    connect(useDefault, &QPushButton::clicked, this,
            [this] { m_catalog->setText(Catalog::defaultLocation()); });
    connect(m_backend, &QComboBox::currentIndexChanged, this, &SettingsDialog::checkBackend);
    connect(buttons, &QDialogButtonBox::clicked, this, [this, buttons, restart](QAbstractButton *button) {
        if (buttons->buttonRole(button) == QDialogButtonBox::RejectRole) {
            reject();
            return;
        }
        m_restart = button == restart;
        if (apply())
            accept();
    });
    checkBackend();
}

void SettingsDialog::checkBackend()
{
    QString error;
    const bool ok = createSecretStore(secretBackend(), m_catalog->text(), &error) != nullptr;
    m_backendNote->setStyleSheet(ok ? QString() : QStringLiteral("color: #c62828;"));
    m_backendNote->setText(
        ok ? (secretBackend() == QLatin1String("file")
                  ? tr("Kept in “%1”, mode 0600; never inside the catalog.")
                        .arg(QFileInfo(FileSecretStore::defaultPathFor(m_catalog->text())).fileName())
                  : tr("Kept in the desktop's keychain."))
           : error);
}

QString SettingsDialog::catalogLocation() const
{
    return m_catalog->text().trimmed();
}

QString SettingsDialog::secretBackend() const
{
    return m_backend->currentData().toString();
}

bool SettingsDialog::apply()
{
    QString error;
    if (catalogLocation().isEmpty()) {
        m_note->setStyleSheet(QStringLiteral("color: #c62828;"));
        m_note->setText(tr("Choose a catalog file."));
        return false;
    }
    if (!createSecretStore(secretBackend(), catalogLocation(), &error)) {
        m_note->setStyleSheet(QStringLiteral("color: #c62828;"));
        m_note->setText(error);
        return false;
    }
    QSettings settings;
    settings.setValue(catalogSettingKey(), catalogLocation());
    settings.setValue(backendSettingKey(), secretBackend());
    return true;
}
