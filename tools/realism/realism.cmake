# latentjam_realism: the realism measure of generated drums against real kits (realism.hpp,
# docs/realism.md), and realism_bench, its table. Included from the top-level CMakeLists.txt so the
# tests link it with or without LATENTJAM_BENCHMARKS. No LibTorch in the library; realism_bench
# loads TorchScript models only when latentjam_models_torch exists.
add_library(latentjam_realism ${CMAKE_CURRENT_LIST_DIR}/sound.cpp
                              ${CMAKE_CURRENT_LIST_DIR}/classifier.cpp
                              ${CMAKE_CURRENT_LIST_DIR}/evaluate.cpp)
target_include_directories(latentjam_realism PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(latentjam_realism PUBLIC latentjam_models Eigen3::Eigen
                                        PRIVATE PkgConfig::SNDFILE)

add_executable(realism_bench ${CMAKE_CURRENT_LIST_DIR}/realism_bench.cpp)
target_link_libraries(realism_bench PRIVATE latentjam_realism)
target_compile_definitions(realism_bench PRIVATE LATENTJAM_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
if(TARGET latentjam_models_torch)
  target_link_libraries(realism_bench PRIVATE latentjam_models_torch)
  target_compile_definitions(realism_bench PRIVATE LATENTJAM_REALISM_TORCH)
endif()
