# latentjam_probes: the probe benchmark of sound words (reader + embedding rate; probe_set.hpp).
# Included from the top-level CMakeLists.txt, so the tests can link it with or without
# LATENTJAM_BENCHMARKS. probe_set.cpp alone is also compiled into convert_vectors.
add_library(latentjam_probes ${CMAKE_CURRENT_LIST_DIR}/probe_set.cpp
                             ${CMAKE_CURRENT_LIST_DIR}/probe_rate.cpp
                             ${CMAKE_CURRENT_LIST_DIR}/mapping_rate.cpp)
target_include_directories(latentjam_probes PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(latentjam_probes PUBLIC latentjam_mappings)

# probe_report: the benchmark's numbers for converted word vectors (raw vs retrofitted).
add_executable(probe_report ${CMAKE_CURRENT_LIST_DIR}/probe_report.cpp)
target_link_libraries(probe_report PRIVATE latentjam_probes)
target_compile_definitions(probe_report PRIVATE LATENTJAM_SOURCE_DIR="${PROJECT_SOURCE_DIR}")

# word_bench: each candidate mapping's rate next to the embedding's, per split and latent source.
add_executable(word_bench ${CMAKE_CURRENT_LIST_DIR}/word_bench.cpp)
target_link_libraries(word_bench PRIVATE latentjam_probes)
target_compile_definitions(word_bench PRIVATE LATENTJAM_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
