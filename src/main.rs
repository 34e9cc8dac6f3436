fn main() -> std::process::ExitCode {
    grassroots::cli::main()
}
