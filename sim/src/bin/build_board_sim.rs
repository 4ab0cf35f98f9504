//! Builds the simulated board (`make sim-board`) and prints the executable's path, which
//! `rvzk board sim` runs. `--waveforms` builds the variant that can write a VCD file.

fn main() -> std::process::ExitCode {
    let waveforms = std::env::args().skip(1).any(|a| a == "--waveforms");
    match rvzk_sim::board::build_board(waveforms) {
        Ok(exe) => {
            println!("{}", exe.display());
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: building the simulated board: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
