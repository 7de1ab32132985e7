# bench_models: decode time of the built-in decoders and of a TorchScript module (when LibTorch is
# built). Included by tools/bench/CMakeLists.txt.
add_executable(bench_models ${CMAKE_CURRENT_LIST_DIR}/bench_models.cpp)
target_link_libraries(bench_models PRIVATE latentjam_models benchmark::benchmark)
target_compile_definitions(bench_models PRIVATE LATENTJAM_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
if(TARGET latentjam_models_torch)
  target_link_libraries(bench_models PRIVATE latentjam_models_torch)
  target_compile_definitions(bench_models PRIVATE LATENTJAM_BENCH_TORCH=1)
endif()
