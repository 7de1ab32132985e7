# bench_mappings: retrain time (10/100/1000 examples, warm and cold), fixed-iteration training for
# the python3-torch peer (tools/bench/mlp_peer.py), prompt-to-latent time, word-vector load time.
# Results and commands: docs/bench_mappings.md.
add_executable(bench_mappings ${CMAKE_CURRENT_LIST_DIR}/bench_mappings.cpp)
target_link_libraries(bench_mappings PRIVATE latentjam_mappings benchmark::benchmark)
target_compile_definitions(bench_mappings PRIVATE LATENTJAM_SOURCE_DIR="${CMAKE_CURRENT_LIST_DIR}/../..")
