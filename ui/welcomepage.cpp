#include "welcomepage.h"

#include "svgicon.h"

#include <QDir>
#include <QFile>
#include <QLabel>
#include <QPushButton>
#include <QStandardPaths>
#include <QVBoxLayout>

WelcomePage::WelcomePage(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("welcomePage"));
    auto *outer = new QVBoxLayout(this);
    outer->addStretch(1);
    auto *box = new QWidget(this);
    box->setFixedWidth(600);
    auto *layout = new QVBoxLayout(box);
    auto *title = new QLabel(tr("Welcome to Mako Connect"), box);
    QFont font = title->font();
    font.setPointSizeF(font.pointSizeF() * 1.8);
    font.setBold(true);
    title->setFont(font);
    layout->addWidget(title);
    auto *text = new QLabel(
        tr("Pull the data of the tools your company runs on (Stripe, Close, GitHub, PostHog, any REST or "
           "GraphQL API, local CSV and JSON Lines files) into a catalog on this computer, then browse, "
           "profile, query with SQL and export it. Syncs resume where they stopped."),
        box);
    text->setWordWrap(true);
    // Centred by alignment, the box gets its size hint: the text's height is asked for at the box's width.
    const QMargins margins = layout->contentsMargins();
    text->setMinimumHeight(text->heightForWidth(box->width() - margins.left() - margins.right()));
    layout->addWidget(text);
    layout->addSpacing(12);
    auto *add = new QPushButton(Icons::ui(QStringLiteral("add")), tr("Add your first connection"), box);
    add->setObjectName(QStringLiteral("welcomeAddConnection"));
    add->setDefault(true);
    add->setMinimumHeight(36);
    auto *sample = new QPushButton(Icons::ui(QStringLiteral("folder")), tr("Try it with a local CSV"), box);
    sample->setObjectName(QStringLiteral("welcomeTrySample"));
    sample->setMinimumHeight(36);
    sample->setToolTip(tr("Adds a connection to a sample file of 500 orders that comes with the app and "
                          "syncs it"));
    layout->addWidget(add);
    layout->addWidget(sample);
    outer->addWidget(box, 0, Qt::AlignHCenter);
    outer->addStretch(2);
    connect(add, &QPushButton::clicked, this, &WelcomePage::addConnectionRequested);
    connect(sample, &QPushButton::clicked, this, &WelcomePage::sampleRequested);
}

QString WelcomePage::samplePath(QString *error)
{
    const QString folder =
        QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/samples");
    const QString path = folder + QStringLiteral("/orders.csv");
    if (QFile::exists(path))
        return path; // kept from an earlier try, with whatever the analyst changed in it
    if (!QDir().mkpath(folder) || !QFile::copy(QStringLiteral(":/samples/orders.csv"), path)) {
        *error = tr("Cannot write the sample file into %1; check that the folder is writable")
                     .arg(QDir::toNativeSeparators(folder));
        return {};
    }
    QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup |
                                    QFileDevice::ReadOther); // a resource's copy is read-only
    return path;
}
