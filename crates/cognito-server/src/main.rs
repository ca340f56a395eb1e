//! `cognito-server`: parses flags, loads the configuration, binds, announces the address
//! on stdout and serves until SIGINT or SIGTERM; `export` and `import` move the state of
//! a data directory out and in as JSON.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use cognito_server::log::{BatchWriter, LineFields, LineFormat};
use cognito_server::{durable, prepare_tls, serve, Command, Config, Options};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

/// mimalloc: allocations are freed on other threads than the one that made them (a
/// connection's buffers move between tokio's workers), which glibc's allocator serves
/// with a lock per arena.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let options = Options::parse();
    // The guard writes the lines still pending when `main` returns.
    let (log, _log_guard) = match BatchWriter::new(std::io::stderr()) {
        Ok(log) => log,
        Err(e) => {
            eprintln!("cognito-server: cannot start the log writer: {e}");
            return ExitCode::FAILURE;
        }
    };
    let ansi = std::io::stderr().is_terminal();
    let request_lines = Arc::new(log.request_lines(ansi));
    tracing_subscriber::fmt()
        .with_writer(log)
        .with_ansi(ansi)
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .fmt_fields(LineFields)
        .event_format(LineFormat)
        .init();

    // A configuration that cannot be used stops the server before it listens.
    let config = match Config::load(&options) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("cognito-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    match &options.command {
        Some(Command::Export) => return transfer(&config, Transfer::Export),
        Some(Command::Import) => return transfer(&config, Transfer::Import),
        Some(Command::Seed { file, endpoint }) => return seed(file, endpoint),
        Some(Command::Serve) | None => {}
    }
    // So does a certificate, key or CA folder that cannot be used.
    let tls = match prepare_tls(&options, &config) {
        Ok(tls) => tls,
        Err(e) => {
            eprintln!("cognito-server: {e}");
            return ExitCode::FAILURE;
        }
    };

    let listener = match TcpListener::bind((options.host.as_str(), options.port)).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!(
                "cognito-server: cannot listen on {}:{}: {e}",
                options.host, options.port
            );
            return ExitCode::FAILURE;
        }
    };
    let address = match listener.local_addr() {
        Ok(address) => address,
        Err(e) => {
            eprintln!("cognito-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    let shutdown = match shutdown_signal() {
        Ok(shutdown) => shutdown,
        Err(e) => {
            eprintln!("cognito-server: cannot install signal handlers: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Harnesses read the first line to learn the port when started with `--port 0`.
    let mut announcement = format!("cognito-server listening on http://{address}\n");
    if let Some(tls) = &tls {
        announcement.push_str(&format!("cognito-server listening on https://{address}\n"));
        if let Some(ca) = &tls.ca_file {
            announcement.push_str(&format!(
                "cognito-server HTTPS certificate for {} signed by the local CA {} \
                 (trust it with NODE_EXTRA_CA_CERTS, REQUESTS_CA_BUNDLE or SSL_CERT_FILE)\n",
                tls.names.join(", "),
                ca.display()
            ));
        }
    }
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(announcement.as_bytes())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        eprintln!("cognito-server: cannot write to stdout");
    }
    drop(stdout);

    match serve(listener, &options, config, tls, request_lines, shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cognito-server: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Which way [`transfer`] moves the state.
enum Transfer {
    Export,
    Import,
}

/// Writes the state of the configuration's data directory to stdout, or reads it from
/// stdin, as JSON.
fn transfer(config: &Config, way: Transfer) -> ExitCode {
    let Some(dir) = &config.data_dir else {
        eprintln!("cognito-server: name the data directory with --data-dir");
        return ExitCode::FAILURE;
    };
    if matches!(way, Transfer::Export) && !dir.join("state.redb").exists() {
        eprintln!("cognito-server: {} holds no state", dir.display());
        return ExitCode::FAILURE;
    }
    let moved = durable::DataDir::open(dir).and_then(|data| match way {
        Transfer::Export => durable::transfer::export(
            &data,
            &mut std::io::BufWriter::new(std::io::stdout().lock()),
        ),
        Transfer::Import => durable::transfer::import(&data, &mut std::io::stdin().lock()),
    });
    match moved {
        Ok(count) => {
            eprintln!("cognito-server: {count} records");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cognito-server: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `cognito-server seed FILE --endpoint URL`: applies the seed file to the running server
/// and prints what it made and what was already there.
fn seed(file: &std::path::Path, endpoint: &url::Url) -> ExitCode {
    let seeded = cognito_server::seed::load(file)
        .and_then(|seed| cognito_server::seed::send(&seed, endpoint));
    match seeded {
        Ok(summary) => {
            println!("{summary:#}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cognito-server: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A future that completes on SIGINT (Ctrl-C) or, on Unix, SIGTERM. The handlers are
/// installed before it is returned, so a signal sent right after the address is announced
/// is not missed.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
            tracing::info!("shutting down");
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
            tracing::info!("shutting down");
        })
    }
}
