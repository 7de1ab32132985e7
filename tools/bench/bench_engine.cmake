# bench_engine: the audio callback's cost (Google Benchmark); osc_bench: the daemon end to end over
# OSC with scsynth as the peer (run through tools/bench/run_osc_bench.sh).
add_executable(bench_engine ${CMAKE_CURRENT_LIST_DIR}/bench_engine.cpp)
target_link_libraries(bench_engine PRIVATE latentjam_engine benchmark::benchmark)
add_executable(osc_bench ${CMAKE_CURRENT_LIST_DIR}/osc_bench.cpp)
target_link_libraries(osc_bench PRIVATE PkgConfig::LIBLO)
