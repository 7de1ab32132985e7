// The inside of an Mlp (private to mappings/src; keeps Eigen out of the public headers).
#pragma once

#include <Eigen/Dense>

#include "latentjam/mappings/mlp.hpp"

namespace latentjam::mappings {

struct Mlp::Parameters {
  Eigen::MatrixXf w1;  // hidden x inputs
  Eigen::VectorXf b1;  // hidden
  Eigen::MatrixXf w2;  // outputs x hidden
  Eigen::VectorXf b2;  // outputs
  Eigen::VectorXf input_mean;
  float input_scale = 1.0f;  // one common scale for every input dimension
  Eigen::VectorXf output_mean;
  Eigen::VectorXf output_scale;  // per output dimension; 0 where the targets never vary
};

}  // namespace latentjam::mappings
